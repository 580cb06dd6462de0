"""Validates PDFs against PDF/UA-1 and PDF/A-2a with page (page-validation).

Usage: check_pdf.py FILE...  Prints one JSON object per file:
{"file": ..., "profiles": {"ua1": {"compliant": bool, "rules": n, "failed": [...]}, "2a": ...}}
and exits 1 when any file fails any rule.
"""
import json
import sys

import page

PROFILES = ("ua1", "2a")
ok = True
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    result = {"file": path, "profiles": {}}
    for profile in PROFILES:
        report = page.validate_pdf_bytes(data, profile=profile)
        failed = [f"{f.rule_id}: {f.message}" for f in report.failures]
        result["profiles"][profile] = {
            "compliant": report.is_compliant,
            "rules": report.rules.total,
            "failed": failed,
        }
        ok = ok and report.is_compliant and not failed and report.rules.total > 0
    print(json.dumps(result, ensure_ascii=False))
sys.exit(0 if ok else 1)
