"""`checkin-station`: the desktop app."""

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(argv if argv is not None else sys.argv)
    label = QLabel("Check-in station")
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
