"""Order events → rows of the Power BI push dataset behind the real-time operations dashboard."""
