"""What may leave the authority with a response: each file checked for hidden data, and
clean copies and redactions that really remove it. Pure functions over bytes: no register,
no mail."""

from foidesk.release.check import check_file, file_kind
from foidesk.release.findings import Finding

__all__ = ["Finding", "check_file", "file_kind"]
