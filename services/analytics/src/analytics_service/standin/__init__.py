"""Local stand-in of the Power BI push-dataset REST API (stores rows, shows them); not Power BI."""
