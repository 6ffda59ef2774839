"""Local mail and SMS sink for Contoso Shop: SMTP in, HTTP out."""
