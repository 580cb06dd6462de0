"""Reads a message as the mail tests' SMTP server stored it, and prints what the
tests check as JSON: headers decoded, the text and HTML parts, and each
attachment's name, type and SHA-256."""

import email
import email.policy
import hashlib
import json
import sys

with open(sys.argv[1], "rb") as f:
    message = email.message_from_binary_file(f, policy=email.policy.default)

out = {
    "subject": str(message["subject"]),
    "from": str(message["from"]),
    "to": str(message["to"]),
    "message_id": str(message["message-id"]),
    "text": "",
    "html": "",
    "attachments": [],
}
for part in message.walk():
    if part.is_multipart():
        continue
    if part.get_filename():
        payload = part.get_payload(decode=True)
        out["attachments"].append(
            {
                "name": part.get_filename(),
                "type": part.get_content_type(),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
    elif part.get_content_type() == "text/plain":
        out["text"] = part.get_content()
    elif part.get_content_type() == "text/html":
        out["html"] = part.get_content()
print(json.dumps(out))
