"""Server-rendered pages for the bureau's staff (Jinja2 templates, plotly charts served locally)."""
