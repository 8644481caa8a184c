"""The monthly water-quality report (XX县水环境质量月报): content, HTML, XLSX and PDF."""
