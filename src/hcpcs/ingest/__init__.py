"""Readers for every official CMS HCPCS file format."""

from hcpcs.ingest.release import ReleaseData, read_releases

__all__ = ["ReleaseData", "read_releases"]
