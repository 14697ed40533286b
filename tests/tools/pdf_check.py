"""Writes a PDF with pypdf (`make OUT`), or reads one strictly (`read IN`): any warning pypdf
logs, a broken cross-reference table included, fails with exit status 1."""
import logging
import sys

import pypdf


class Fail(logging.Handler):
    def emit(self, record):
        print(f"pypdf warning: {record.getMessage()}", file=sys.stderr)
        sys.exit(1)


logging.getLogger("pypdf").addHandler(Fail(level=logging.WARNING))

if sys.argv[1] == "make":
    w = pypdf.PdfWriter()
    w.add_blank_page(200, 200)
    w.add_blank_page(200, 200)
    w.add_metadata({"/Author": "Secret Witness Name", "/Producer": "Leaky Writer"})
    w.write(sys.argv[2])
else:
    r = pypdf.PdfReader(sys.argv[2], strict=True)
    print(len(r.pages), dict(r.metadata or {}))
