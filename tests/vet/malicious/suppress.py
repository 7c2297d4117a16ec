"""Comments that try to silence the review."""
import os

os.system("ls")  # nosec  # expect: GW-PROC-001@medium/import, GW-SUPP-001
os.popen("id")  # gymwarden: ignore[GW-PROC-001]  # expect: GW-PROC-001, GW-SUPP-001
