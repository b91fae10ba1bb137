"""The web server: REST API, NLM Clinical Tables compatible search, FHIR R4 terminology, HTML pages."""
