#!/bin/sh
# Re-extract every translatable text of ui/ into ui/translations/checkin_<lang>.ts
# (keeping the translations already there; texts no longer in the code are dropped)
# and compile the .qm files the app loads. Run after changing texts in ui/:
#     scripts/update_translations.sh
# then translate the new entries (pyside6-linguist ui/translations/checkin_de.ts, or edit
# the XML), run it again, and commit both the .ts and the .qm files.
set -eu
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[ -x venv/bin/python ] && PYTHON=venv/bin/python
[ -n "${VIRTUAL_ENV:-}" ] && PYTHON="$VIRTUAL_ENV/bin/python"
TOOLS="$("$PYTHON" -c 'import os, PySide6; print(os.path.dirname(PySide6.__file__))')"
LUPDATE="$TOOLS/lupdate"
LRELEASE="$TOOLS/lrelease"
[ -x "$LUPDATE" ] || LUPDATE="$(command -v pyside6-lupdate)"
[ -x "$LRELEASE" ] || LRELEASE="$(command -v pyside6-lrelease)"

LANGUAGES="${LANGUAGES:-de}"
SOURCES="$(ls ui/*.py | sort)"
for lang in $LANGUAGES; do
    ts="ui/translations/checkin_$lang.ts"
    # shellcheck disable=SC2086  # one argument per source file
    "$LUPDATE" -no-obsolete -locations none -target-language "$lang" $SOURCES -ts "$ts"
    "$LRELEASE" -nounfinished -removeidentical "$ts" -qm "ui/translations/checkin_$lang.qm"
done
