"""The SMTP server of the mail tests: aiosmtpd (Debian: python3-aiosmtpd) on
127.0.0.1 at the port given, writing each message it takes to the directory
given, one file per message (the bytes as received). With --refuse it answers
every recipient 550, as a server that knows no such mailbox does.

Prints "ready" on standard output once it listens; stops when killed or when
its standard input closes.
"""

import argparse
import os
import sys
import uuid

from aiosmtpd.controller import Controller


class Receiver:
    def __init__(self, folder, refuse):
        self.folder = folder
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = uuid.uuid4().hex
        partial = os.path.join(self.folder, name + ".part")
        with open(partial, "wb") as out:
            out.write(envelope.original_content)
        # Whole files only: a reader never sees a message half written.
        os.rename(partial, os.path.join(self.folder, name + ".eml"))
        return "250 2.0.0 Mottaget"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--refuse", action="store_true")
    args = parser.parse_args()
    controller = Controller(
        Receiver(args.folder, args.refuse), hostname="127.0.0.1", port=args.port
    )
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
