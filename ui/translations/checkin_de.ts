<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AttendeeDialog</name>
    <message>
        <source>A name is needed.</source>
        <translation>Ein Name ist erforderlich.</translation>
    </message>
    <message>
        <source>Walk-in registration</source>
        <translation>Vor-Ort-Anmeldung</translation>
    </message>
    <message>
        <source>Edit details</source>
        <translation>Angaben bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Titel</translation>
    </message>
    <message>
        <source>&amp;Given name</source>
        <translation>&amp;Vorname</translation>
    </message>
    <message>
        <source>&amp;Family name</source>
        <translation>&amp;Nachname</translation>
    </message>
    <message>
        <source>Name &amp;order</source>
        <translation>Namens&amp;reihenfolge</translation>
    </message>
    <message>
        <source>&amp;Badge name</source>
        <translation>Name auf dem Namens&amp;schild</translation>
    </message>
    <message>
        <source>O&amp;rganisation</source>
        <translation>Or&amp;ganisation</translation>
    </message>
    <message>
        <source>&amp;Country</source>
        <translation>&amp;Land</translation>
    </message>
    <message>
        <source>R&amp;ole</source>
        <translation>R&amp;olle</translation>
    </message>
    <message>
        <source>&amp;E-mail</source>
        <translation>&amp;E-Mail</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>Bemer&amp;kungen</translation>
    </message>
    <message>
        <source>Given name first</source>
        <translation>Vorname zuerst</translation>
    </message>
    <message>
        <source>Family name first (CJK, Hungarian, …)</source>
        <translation>Nachname zuerst (CJK, Ungarisch, …)</translation>
    </message>
    <message>
        <source>Only if the badge should show another name</source>
        <translation>Nur wenn das Namensschild einen anderen Namen zeigen soll</translation>
    </message>
    <message>
        <source>&amp;Print the badge again (details corrected)</source>
        <translation>Namensschild erneut &amp;drucken (Angaben korrigiert)</translation>
    </message>
    <message>
        <source>&amp;Print the badge now</source>
        <translation>Namensschild jetzt &amp;drucken</translation>
    </message>
    <message>
        <source>Nothing printed on the badge changes: saving prints no new badge.</source>
        <translation>Nichts, was auf dem Namensschild steht, ändert sich: Speichern druckt kein neues.</translation>
    </message>
    <message>
        <source>Registered for &amp;today only (day ticket)</source>
        <translation>Nur für &amp;heute angemeldet (Tageskarte)</translation>
    </message>
    <message>
        <source>Register, check in and print</source>
        <translation>Anmelden, einchecken und drucken</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
</context>
<context>
    <name>AttendeeTableModel</name>
    <message>
        <source>Checked in</source>
        <translation>Eingecheckt</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation>Noch nicht</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>Not today</source>
        <translation>Nicht heute</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Checked in at</source>
        <translation>Eingecheckt um</translation>
    </message>
</context>
<context>
    <name>AttendeeTableWidget</name>
    <message>
        <source>All roles</source>
        <translation>Alle Rollen</translation>
    </message>
    <message>
        <source>All countries</source>
        <translation>Alle Länder</translation>
    </message>
    <message>
        <source>{matching} of {total}</source>
        <translation>{matching} von {total}</translation>
    </message>
    <message>
        <source>Name, organisation, e-mail or code</source>
        <translation>Name, Organisation, E-Mail oder Code</translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation>&amp;Suchen:</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>S&amp;tatus:</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <source>C&amp;ountry:</source>
        <translation>&amp;Land:</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>Eingecheckt</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation>Noch nicht</translation>
    </message>
    <message>
        <source>Attendees</source>
        <translation>Teilnehmende</translation>
    </message>
</context>
<context>
    <name>CameraPane</name>
    <message>
        <source>Camera off</source>
        <translation>Kamera aus</translation>
    </message>
    <message>
        <source>No camera found.
The scanner and the name search work as usual.</source>
        <translation>Keine Kamera gefunden.
Scanner und Namenssuche funktionieren wie gewohnt.</translation>
    </message>
    <message>
        <source>The camera stopped: %1</source>
        <translation>Die Kamera wurde angehalten: %1</translation>
    </message>
</context>
<context>
    <name>DashboardWidget</name>
    <message>
        <source>No figures: {reason}</source>
        <translation>Keine Zahlen: {reason}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>{day}: {checked_in} of {expected} checked in ({percent} %)</source>
        <translation>{day}: {checked_in} von {expected} eingecheckt ({percent} %)</translation>
    </message>
    <message>
        <source>Codes refused as not valid: {damaged} unreadable or from another key, {forged} not verifying (forged or altered)</source>
        <translation>Als ungültig abgewiesene Codes: {damaged} unlesbar oder mit fremdem Schlüssel, {forged} nicht bestätigt (gefälscht oder verändert)</translation>
    </message>
    <message>
        <source>{n} admitted at two desks while apart (checkin conflicts lists them)</source>
        <translation>{n} an zwei Schaltern eingecheckt, während diese getrennt waren (checkin conflicts listet sie auf)</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Checked in and expected by role</source>
        <translation>Eingecheckt und erwartet nach Rolle</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <source>Checked in and expected by country</source>
        <translation>Eingecheckt und erwartet nach Land</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>Arrivals per 15 minutes</source>
        <translation>Ankünfte je 15 Minuten</translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation>Ankünfte</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Ab</translation>
    </message>
    <message>
        <source>Total so far</source>
        <translation>Summe bisher</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>Eingecheckt</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>Erwartet</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Andere</translation>
    </message>
    <message>
        <source>&amp;Arrivals</source>
        <translation>&amp;Ankünfte</translation>
    </message>
    <message>
        <source>By &amp;role</source>
        <translation>Nach &amp;Rolle</translation>
    </message>
    <message>
        <source>By &amp;country</source>
        <translation>Nach &amp;Land</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Übersicht</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>Printing a test page…</source>
        <translation>Testseite wird gedruckt…</translation>
    </message>
    <message>
        <source>Test page sent: %1. Check that it came out.</source>
        <translation>Testseite gesendet: %1. Bitte prüfen, ob sie herauskam.</translation>
    </message>
    <message>
        <source>The test page did not print: %1. Choose the printer in the settings (Ctrl+,).</source>
        <translation>Die Testseite wurde nicht gedruckt: %1. Drucker in den Einstellungen wählen (Strg+,).</translation>
    </message>
    <message>
        <source>Welcome to the check-in station</source>
        <translation>Willkommen an der Check-in-Station</translation>
    </message>
    <message>
        <source>Before the first scan: which desk this is and who works at it. Both go into the log with every check-in. Asked once; the settings (Ctrl+,) change them.</source>
        <translation>Vor dem ersten Scan: welcher Schalter das ist und wer hier arbeitet. Beides steht bei jedem Check-in im Protokoll. Nur einmal gefragt; die Einstellungen (Strg+,) ändern es.</translation>
    </message>
    <message>
        <source>&amp;Station name:</source>
        <translation>&amp;Name der Station:</translation>
    </message>
    <message>
        <source>&amp;Operator:</source>
        <translation>&amp;Bedienperson:</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>Badges print on: %1</source>
        <translation>Namensschilder drucken auf: %1</translation>
    </message>
    <message>
        <source>Print a &amp;test page</source>
        <translation>&amp;Testseite drucken</translation>
    </message>
</context>
<context>
    <name>KioskPinDialog</name>
    <message>
        <source>Kiosk PIN</source>
        <translation>Kiosk-PIN</translation>
    </message>
    <message>
        <source>Staff PIN</source>
        <translation>Personal-PIN</translation>
    </message>
    <message>
        <source>Kiosk mode is left only with a staff PIN (Escape, then the PIN). Choose one: 4 to 8 digits. The settings (Ctrl+,) change it later.</source>
        <translation>Der Kioskmodus lässt sich nur mit einer Personal-PIN verlassen (Escape, dann die PIN). Bitte eine wählen: 4 bis 8 Ziffern. Die Einstellungen (Strg+,) ändern sie später.</translation>
    </message>
    <message>
        <source>The locked station opens only with a staff PIN (it also leaves kiosk mode). Choose one: 4 to 8 digits. The settings (Ctrl+,) change it later.</source>
        <translation>Die gesperrte Station öffnet sich nur mit einer Personal-PIN (sie verlässt auch den Kioskmodus). Bitte eine wählen: 4 bis 8 Ziffern. Die Einstellungen (Strg+,) ändern sie später.</translation>
    </message>
    <message>
        <source>&amp;PIN:</source>
        <translation>&amp;PIN:</translation>
    </message>
    <message>
        <source>&amp;Again:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Wrong PIN</source>
        <translation>Falsche PIN</translation>
    </message>
    <message>
        <source>Self check-in</source>
        <translation>Selbst-Check-in</translation>
    </message>
    <message>
        <source>Welcome! Please scan your QR code</source>
        <translation>Willkommen! Bitte scannen Sie Ihren QR-Code</translation>
    </message>
    <message>
        <source>Hold the confirmation (phone or printout) under the scanner.</source>
        <translation>Halten Sie die Bestätigung (Handy oder Ausdruck) unter den Scanner.</translation>
    </message>
    <message>
        <source>One moment…</source>
        <translation>Einen Moment…</translation>
    </message>
    <message>
        <source>Welcome, %1!</source>
        <translation>Willkommen, %1!</translation>
    </message>
    <message>
        <source>Your badge is printing.</source>
        <translation>Ihr Namensschild wird gedruckt.</translation>
    </message>
    <message>
        <source>You are checked in.</source>
        <translation>Sie sind eingecheckt.</translation>
    </message>
    <message>
        <source>You are checked in. Your badge could not be printed: please ask at the front desk.</source>
        <translation>Sie sind eingecheckt. Ihr Namensschild konnte nicht gedruckt werden: bitte fragen Sie am Empfang.</translation>
    </message>
    <message>
        <source>Welcome back, %1</source>
        <translation>Willkommen zurück, %1</translation>
    </message>
    <message>
        <source>You are already checked in. Need a new badge? Please ask at the front desk.</source>
        <translation>Sie sind bereits eingecheckt. Sie brauchen ein neues Namensschild? Bitte fragen Sie am Empfang.</translation>
    </message>
    <message>
        <source>Please scan the QR code</source>
        <translation>Bitte scannen Sie den QR-Code</translation>
    </message>
    <message>
        <source>Use the code from your confirmation e-mail.</source>
        <translation>Verwenden Sie den Code aus Ihrer Bestätigungs-E-Mail.</translation>
    </message>
    <message>
        <source>Please see the front desk</source>
        <translation>Bitte wenden Sie sich an den Empfang</translation>
    </message>
    <message>
        <source>Our staff will help you right away.</source>
        <translation>Unser Team hilft Ihnen sofort weiter.</translation>
    </message>
    <message>
        <source>Scan here</source>
        <translation>Hier scannen</translation>
    </message>
    <message>
        <source>Staff PIN to leave kiosk mode:</source>
        <translation>Personal-PIN zum Verlassen des Kioskmodus:</translation>
    </message>
</context>
<context>
    <name>Languages</name>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Type your name: what you do is logged under it.</source>
        <translation>Bitte Ihren Namen eingeben: was Sie tun, wird unter ihm protokolliert.</translation>
    </message>
    <message>
        <source>Wrong PIN</source>
        <translation>Falsche PIN</translation>
    </message>
    <message>
        <source>Station locked</source>
        <translation>Station gesperrt</translation>
    </message>
    <message>
        <source>Type your name and the staff PIN to unlock. Another name signs you in: the desk logs what you do under it.</source>
        <translation>Zum Entsperren Namen und Personal-PIN eingeben. Ein anderer Name meldet Sie an: der Schalter protokolliert, was Sie tun, unter diesem Namen.</translation>
    </message>
    <message>
        <source>&amp;Operator:</source>
        <translation>&amp;Bediener/in:</translation>
    </message>
    <message>
        <source>Staff &amp;PIN:</source>
        <translation>Personal-&amp;PIN:</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Entsperren</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The event database cannot be opened: %1</source>
        <translation>Die Veranstaltungsdatenbank lässt sich nicht öffnen: %1</translation>
    </message>
    <message>
        <source>This is the demo event with made-up delegates. To use your real attendee list, run: checkin import FILE (CSV, XLSX or JSON export of your registration system), then restart the station.</source>
        <translation>Dies ist die Demo-Veranstaltung mit erfundenen Teilnehmenden. Um Ihre echte Teilnehmerliste zu verwenden, führen Sie „checkin import DATEI“ aus (CSV-, XLSX- oder JSON-Export Ihres Anmeldesystems) und starten Sie die Station dann neu.</translation>
    </message>
    <message>
        <source>Check-in station</source>
        <translation>Check-in-Station</translation>
    </message>
    <message>
        <source>Badge is printing.</source>
        <translation>Namensschild wird gedruckt.</translation>
    </message>
    <message>
        <source>Badge printed earlier.</source>
        <translation>Namensschild wurde bereits gedruckt.</translation>
    </message>
    <message>
        <source>The badge for %1 is already waiting for the printer (Ctrl+Shift+X cancels it).</source>
        <translation>Das Namensschild für %1 wartet bereits auf den Drucker (Strg+Umschalt+X bricht es ab).</translation>
    </message>
    <message>
        <source>Badge for %1 sent to the printer.</source>
        <translation>Namensschild für %1 an den Drucker gesendet.</translation>
    </message>
    <message>
        <source>No badge for %1 is waiting for the printer.</source>
        <translation>Für %1 wartet kein Namensschild auf den Drucker.</translation>
    </message>
    <message>
        <source>Cancelling the badge for %1…</source>
        <translation>Namensschild für %1 wird abgebrochen…</translation>
    </message>
    <message>
        <source>Badge print cancelled. F5 prints it again.</source>
        <translation>Druck des Namensschilds abgebrochen. F5 druckt es erneut.</translation>
    </message>
    <message>
        <source>Badge for %1 cancelled. F5 prints it again.</source>
        <translation>Namensschild für %1 abgebrochen. F5 druckt es erneut.</translation>
    </message>
    <message>
        <source>details corrected</source>
        <translation>Angaben korrigiert</translation>
    </message>
    <message>
        <source>edited at the desk</source>
        <translation>am Schalter bearbeitet</translation>
    </message>
    <message>
        <source>Settings not saved: %1</source>
        <translation>Einstellungen nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>PDF folder</source>
        <translation>PDF-Ordner</translation>
    </message>
    <message>
        <source>Printer %1: ready</source>
        <translation>Drucker %1: bereit</translation>
    </message>
    <message>
        <source>Printer %1: NOT READY (%2)</source>
        <translation>Drucker %1: NICHT BEREIT (%2)</translation>
    </message>
    <message>
        <source>No one found for the typed text.</source>
        <translation>Niemand gefunden für den eingegebenen Text.</translation>
    </message>
    <message>
        <source>The station&apos;s settings file was not used as written (%1): the defaults are in use there. Check the settings (Ctrl+,); saving them rewrites the file.</source>
        <translation>Die Einstellungsdatei der Station wurde nicht wie geschrieben übernommen (%1): dort gelten die Standardwerte. Bitte die Einstellungen prüfen (Strg+,); Speichern schreibt die Datei neu.</translation>
    </message>
    <message>
        <source>This station does not lock itself when left alone: no staff PIN is set. Set one in the settings (Ctrl+,) or lock it once (Ctrl+Shift+L).</source>
        <translation>Diese Station sperrt sich nicht selbst, wenn niemand da ist: es ist keine Personal-PIN gesetzt. Bitte eine in den Einstellungen (Strg+,) setzen oder die Station einmal sperren (Strg+Umschalt+L).</translation>
    </message>
    <message>
        <source>Pair this desk with a hub</source>
        <translation>Diesen Schalter mit einem Hub verbinden</translation>
    </message>
    <message>
        <source>Pair this desk with the hub at {url}?

The station restarts on the hub&apos;s event; a demo event is kept aside, a real one is never replaced.</source>
        <translation>Diesen Schalter mit dem Hub unter {url} verbinden?

Die Station startet neu mit der Veranstaltung des Hubs; eine Demo-Veranstaltung wird beiseitegelegt, eine echte nie ersetzt.</translation>
    </message>
    <message>
        <source>Looking for “%1”…</source>
        <translation>Suche nach „%1“…</translation>
    </message>
    <message>
        <source>A code was scanned while a menu was open: the menu was closed and the code scanned.</source>
        <translation>Ein Code wurde gescannt, während ein Menü offen war: das Menü wurde geschlossen und der Code gescannt.</translation>
    </message>
    <message>
        <source>No one found for “%1”. Check the spelling (a few letters are enough), or register a walk-in: Ctrl+N.</source>
        <translation>Niemand gefunden für „%1“. Schreibweise prüfen (ein paar Buchstaben genügen) oder vor Ort anmelden: Strg+N.</translation>
    </message>
    <message>
        <source>One match for “%1”.</source>
        <translation>Ein Treffer für „%1“.</translation>
    </message>
    <message>
        <source>%2 matches for “%1”.</source>
        <translation>%2 Treffer für „%1“.</translation>
    </message>
    <message>
        <source>↓ chooses the person; then Enter checks in, F5 prints, F2 edits.</source>
        <translation>↓ wählt die Person; dann checkt Enter ein, F5 druckt, F2 bearbeitet.</translation>
    </message>
    <message>
        <source>One match for the typed text.</source>
        <translation>Ein Treffer für den eingegebenen Text.</translation>
    </message>
    <message>
        <source>%1 matches for the typed text.</source>
        <translation>%1 Treffer für den eingegebenen Text.</translation>
    </message>
    <message>
        <source>Nothing printed on the badge changed: no new badge.</source>
        <translation>Auf dem Namensschild hat sich nichts geändert: kein neues gedruckt.</translation>
    </message>
    <message>
        <source>The printed badge still shows the old details (F5 prints a new one).</source>
        <translation>Das gedruckte Namensschild zeigt noch die alten Angaben (F5 druckt ein neues).</translation>
    </message>
    <message>
        <source>Badge waits for the printer (%1).</source>
        <translation>Namensschild wartet auf den Drucker (%1).</translation>
    </message>
    <message>
        <source>Badge NOT printed: %1</source>
        <translation>Namensschild NICHT gedruckt: %1</translation>
    </message>
    <message>
        <source>Badge printed.</source>
        <translation>Namensschild gedruckt.</translation>
    </message>
    <message>
        <source>Printing: %1</source>
        <translation>Druck: %1</translation>
    </message>
    <message>
        <source>Choose the person first: ↓ in the list of names.</source>
        <translation>Erst die Person wählen: ↓ in der Namensliste.</translation>
    </message>
    <message>
        <source>A scanned code (%1) was kept out of this form. Finish or cancel the form, then scan again.</source>
        <translation>Ein gescannter Code (%1) wurde nicht in dieses Formular übernommen. Formular abschließen oder abbrechen, dann erneut scannen.</translation>
    </message>
    <message>
        <source>{n} of {expected} checked in today</source>
        <translation>{n} von {expected} heute eingecheckt</translation>
    </message>
    <message>
        <source>CONFLICT: admitted at {n} desks while they could not see each other: {places}</source>
        <translation>KONFLIKT: an {n} Schaltern eingecheckt, während diese einander nicht sahen: {places}</translation>
    </message>
    <message>
        <source>Closing the day: sending everything to the hub…</source>
        <translation>Tagesabschluss: alles wird an den Hub gesendet …</translation>
    </message>
    <message>
        <source>This desk has no hub: nothing to send (checkin sync --hub URL --token TOKEN pairs it).</source>
        <translation>Dieser Schalter hat keinen Hub: nichts zu senden (checkin sync --hub URL --token TOKEN verbindet ihn).</translation>
    </message>
    <message>
        <source>All synced: {n} events; the hub has every event of this desk.</source>
        <translation>Alles synchronisiert: {n} Ereignisse; der Hub hat jedes Ereignis dieses Schalters.</translation>
    </message>
    <message>
        <source>NOT all synced: {n} events of this desk wait for the hub ({why}). Try again when the hub is reachable.</source>
        <translation>NICHT alles synchronisiert: {n} Ereignisse dieses Schalters warten auf den Hub ({why}). Bitte erneut versuchen, sobald der Hub erreichbar ist.</translation>
    </message>
    <message>
        <source>Remove the attendee data?</source>
        <translation>Teilnehmerdaten entfernen?</translation>
    </message>
    <message>
        <source>The hub has every event of this desk and the event is over. Remove the attendees and the event log from this laptop now? The day&apos;s numbers per role and country stay for the dashboard; the hub keeps everything. This cannot be undone.</source>
        <translation>Der Hub hat jedes Ereignis dieses Schalters, und die Veranstaltung ist vorbei. Die Teilnehmenden und das Ereignisprotokoll jetzt von diesem Laptop entfernen? Die Zahlen des Tages nach Rolle und Land bleiben für die Übersicht; der Hub behält alles. Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>&amp;Remove personal data</source>
        <translation>Personenbezogene Daten &amp;entfernen</translation>
    </message>
    <message>
        <source>&amp;Not now</source>
        <translation>&amp;Nicht jetzt</translation>
    </message>
    <message>
        <source>Removing the attendee data…</source>
        <translation>Teilnehmerdaten werden entfernt…</translation>
    </message>
    <message>
        <source>The attendee data is removed from this desk: {attendees} attendees, {events} events.</source>
        <translation>Die Teilnehmerdaten sind von diesem Schalter entfernt: {attendees} Teilnehmende, {events} Ereignisse.</translation>
    </message>
    <message>
        <source>The attendee data was not removed: %1</source>
        <translation>Die Teilnehmerdaten wurden nicht entfernt: %1</translation>
    </message>
    <message>
        <source>pretix: {accepted} admissions and undos accepted, {refused} refused, {waiting} waiting.</source>
        <translation>pretix: {accepted} Check-ins und Rücknahmen angenommen, {refused} abgelehnt, {waiting} wartend.</translation>
    </message>
    <message>
        <source>The hub keeps trying ({why}).</source>
        <translation>Der Hub versucht es weiter ({why}).</translation>
    </message>
    <message>
        <source>Check-in station {version}

Event database: {db}
Log file: {log}</source>
        <translation>Check-in-Station {version}

Veranstaltungsdatenbank: {db}
Protokolldatei: {log}</translation>
    </message>
    <message>
        <source>About the check-in station</source>
        <translation>Über die Check-in-Station</translation>
    </message>
    <message>
        <source>PDF folder %1</source>
        <translation>PDF-Ordner %1</translation>
    </message>
    <message>
        <source>queue empty</source>
        <translation>Warteschlange leer</translation>
    </message>
    <message>
        <source>1 badge waiting</source>
        <translation>1 Namensschild wartet</translation>
    </message>
    <message>
        <source>%1 badges waiting</source>
        <translation>%1 Namensschilder warten</translation>
    </message>
    <message>
        <source>%1 failed (Ctrl+Shift+P retries)</source>
        <translation>%1 fehlgeschlagen (Strg+Umschalt+P wiederholt)</translation>
    </message>
    <message>
        <source>&amp;Desk</source>
        <translation>Scha&amp;lter</translation>
    </message>
    <message>
        <source>&amp;Attendees</source>
        <translation>&amp;Teilnehmende</translation>
    </message>
    <message>
        <source>Dash&amp;board</source>
        <translation>&amp;Übersicht</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Check in</source>
        <translation>&amp;Einchecken</translation>
    </message>
    <message>
        <source>&amp;Undo check-in…</source>
        <translation>Check-in &amp;zurücknehmen…</translation>
    </message>
    <message>
        <source>&amp;Edit details…</source>
        <translation>Angaben &amp;bearbeiten…</translation>
    </message>
    <message>
        <source>&amp;Walk-in registration…</source>
        <translation>&amp;Vor-Ort-Anmeldung…</translation>
    </message>
    <message>
        <source>C&amp;lear</source>
        <translation>&amp;Leeren</translation>
    </message>
    <message>
        <source>&amp;Attendee list</source>
        <translation>&amp;Teilnehmerliste</translation>
    </message>
    <message>
        <source>&amp;Kiosk mode (self check-in)</source>
        <translation>&amp;Kioskmodus (Selbst-Check-in)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Mute sounds</source>
        <translation>Töne &amp;stummschalten</translation>
    </message>
    <message>
        <source>&amp;Camera</source>
        <translation>&amp;Kamera</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>Ü&amp;ber</translation>
    </message>
    <message>
        <source>C&amp;lose the day (send everything to the hub)</source>
        <translation>Tag ab&amp;schließen (alles an den Hub senden)</translation>
    </message>
    <message>
        <source>Loc&amp;k the station</source>
        <translation>Station s&amp;perren</translation>
    </message>
    <message>
        <source>&amp;Retry failed print jobs</source>
        <translation>Fehlgeschlagene Druckaufträge &amp;wiederholen</translation>
    </message>
    <message>
        <source>Cance&amp;l waiting badge</source>
        <translation>Wartendes Namensschild &amp;abbrechen</translation>
    </message>
    <message>
        <source>Print &amp;queue…</source>
        <translation>Druck&amp;warteschlange…</translation>
    </message>
    <message>
        <source>&amp;Reprint badge…</source>
        <translation>Namensschild &amp;nachdrucken…</translation>
    </message>
    <message>
        <source>&amp;Print badge</source>
        <translation>Namensschild &amp;drucken</translation>
    </message>
    <message>
        <source>Check in</source>
        <translation>Einchecken</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Zurücknehmen</translation>
    </message>
    <message>
        <source>Reprint…</source>
        <translation>Nachdrucken…</translation>
    </message>
    <message>
        <source>Print badge</source>
        <translation>Namensschild drucken</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Vor Ort anmelden</translation>
    </message>
    <message>
        <source>Badges have not printed</source>
        <translation>Namensschilder nicht gedruckt</translation>
    </message>
    <message>
        <source>1 badge has not printed: %2.</source>
        <translation>1 Namensschild wurde nicht gedruckt: %2.</translation>
    </message>
    <message>
        <source>%1 badges have not printed: %2.</source>
        <translation>%1 Namensschilder wurden nicht gedruckt: %2.</translation>
    </message>
    <message>
        <source>They stay in the queue: the station prints them when it starts again (or `checkin print --retry` does).</source>
        <translation>Sie bleiben in der Warteschlange: die Station druckt sie beim nächsten Start (oder `checkin print --retry`).</translation>
    </message>
    <message>
        <source>&amp;Quit anyway</source>
        <translation>Trotzdem &amp;beenden</translation>
    </message>
    <message>
        <source>&amp;Show the queue</source>
        <translation>Warteschlange &amp;zeigen</translation>
    </message>
</context>
<context>
    <name>Pairing</name>
    <message>
        <source>Not paired: {reason}</source>
        <translation>Nicht verbunden: {reason}</translation>
    </message>
    <message>
        <source>Paired with the hub {hub}: event {event}, {n} attendees.</source>
        <translation>Mit dem Hub {hub} verbunden: Veranstaltung {event}, {n} Teilnehmende.</translation>
    </message>
    <message>
        <source>The demo event was kept as {path}.</source>
        <translation>Die Demo-Veranstaltung wurde als {path} aufbewahrt.</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Encrypted event database</source>
        <translation>Verschlüsselte Veranstaltungsdatenbank</translation>
    </message>
    <message>
        <source>The event database %1 is to be encrypted. Choose its passphrase (at least %2 characters; a whole sentence is better) and keep it safe: without it nobody can open the database, not even support.</source>
        <translation>Die Veranstaltungsdatenbank %1 wird verschlüsselt. Wählen Sie ihre Passphrase (mindestens %2 Zeichen; ein ganzer Satz ist besser) und bewahren Sie sie sicher auf: ohne sie kann niemand die Datenbank öffnen, auch der Support nicht.</translation>
    </message>
    <message>
        <source>The event database %1 is encrypted. Type its passphrase to open it.</source>
        <translation>Die Veranstaltungsdatenbank %1 ist verschlüsselt. Geben Sie ihre Passphrase ein, um sie zu öffnen.</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>&amp;Again:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <source>This passphrase does not open the database. Try again (mind the keyboard layout and Caps Lock).</source>
        <translation>Diese Passphrase öffnet die Datenbank nicht. Versuchen Sie es noch einmal (achten Sie auf die Tastaturbelegung und die Feststelltaste).</translation>
    </message>
</context>
<context>
    <name>PretixPanel</name>
    <message>
        <source>stored (type a new one to replace it)</source>
        <translation>gespeichert (zum Ersetzen ein neues eingeben)</translation>
    </message>
    <message>
        <source>a team API token of the event</source>
        <translation>ein Team-API-Token der Veranstaltung</translation>
    </message>
    <message>
        <source>The check-in list id is a number (pretix shows it in the list&apos;s address).</source>
        <translation>Die ID der Check-in-Liste ist eine Zahl (pretix zeigt sie in der Adresse der Liste).</translation>
    </message>
    <message>
        <source>Asking pretix…</source>
        <translation>pretix wird gefragt…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <source>Pulling the attendees from pretix…</source>
        <translation>Teilnehmende werden von pretix abgerufen…</translation>
    </message>
    <message>
        <source>event “{event}”, check-in list “{list}”</source>
        <translation>Veranstaltung „{event}“, Check-in-Liste „{list}“</translation>
    </message>
    <message>
        <source>({n} positions)</source>
        <translation>({n} Positionen)</translation>
    </message>
    <message>
        <source>Connected: {where}. “Pull now” imports the attendees.</source>
        <translation>Verbunden: {where}. „Jetzt abrufen“ holt die Teilnehmenden.</translation>
    </message>
    <message>
        <source>pretix answers: {where}. Nothing stored yet.</source>
        <translation>pretix antwortet: {where}. Noch nichts gespeichert.</translation>
    </message>
    <message>
        <source>Pulled: {added} added, {changed} changed, {cancelled} cancelled, {checkins} check-ins from other pretix devices.</source>
        <translation>Abgerufen: {added} neu, {changed} geändert, {cancelled} storniert, {checkins} Check-ins anderer pretix-Geräte.</translation>
    </message>
    <message>
        <source>Attendees from pretix</source>
        <translation>Teilnehmende aus pretix</translation>
    </message>
    <message>
        <source>pretix a&amp;ddress:</source>
        <translation>pretix-&amp;Adresse:</translation>
    </message>
    <message>
        <source>O&amp;rganizer:</source>
        <translation>Ve&amp;ranstalter:</translation>
    </message>
    <message>
        <source>E&amp;vent:</source>
        <translation>Veranstaltun&amp;g:</translation>
    </message>
    <message>
        <source>Check-&amp;in list id:</source>
        <translation>C&amp;heck-in-Listen-ID:</translation>
    </message>
    <message>
        <source>&amp;API token:</source>
        <translation>API-T&amp;oken:</translation>
    </message>
    <message>
        <source>the organizer&apos;s short form</source>
        <translation>die Kurzform des Veranstalters</translation>
    </message>
    <message>
        <source>the event&apos;s short form</source>
        <translation>die Kurzform der Veranstaltung</translation>
    </message>
    <message>
        <source>T&amp;est</source>
        <translation>T&amp;esten</translation>
    </message>
    <message>
        <source>Co&amp;nnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Pull no&amp;w</source>
        <translation>Jetzt abru&amp;fen</translation>
    </message>
</context>
<context>
    <name>PrintQueueDialog</name>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>at the printer</source>
        <translation>am Drucker</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>No badge is waiting.</source>
        <translation>Kein Namensschild wartet.</translation>
    </message>
    <message>
        <source>1 badge has not printed yet.</source>
        <translation>1 Namensschild ist noch nicht gedruckt.</translation>
    </message>
    <message>
        <source>%1 badges have not printed yet.</source>
        <translation>%1 Namensschilder sind noch nicht gedruckt.</translation>
    </message>
    <message>
        <source>Print queue</source>
        <translation>Druckwarteschlange</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Waiting since</source>
        <translation>Wartet seit</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Stand</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Print the chosen badges (none chosen: all) again on their printer</source>
        <translation>Die gewählten Namensschilder (keine gewählt: alle) erneut auf ihrem Drucker drucken</translation>
    </message>
    <message>
        <source>&amp;Cancel badge</source>
        <translation>Namensschild &amp;abbrechen</translation>
    </message>
    <message>
        <source>Another printer:</source>
        <translation>Anderer Drucker:</translation>
    </message>
    <message>
        <source>its name or folder (empty: its default)</source>
        <translation>Name oder Ordner (leer: sein Standard)</translation>
    </message>
    <message>
        <source>&amp;Move there</source>
        <translation>Dort&amp;hin verschieben</translation>
    </message>
    <message>
        <source>Print the chosen badges (none chosen: all) on this printer now</source>
        <translation>Die gewählten Namensschilder (keine gewählt: alle) jetzt auf diesem Drucker drucken</translation>
    </message>
</context>
<context>
    <name>PrinterState</name>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>druckt</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>out of paper</source>
        <translation>kein Papier</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Reprint badge</source>
        <translation>Namensschild nachdrucken</translation>
    </message>
    <message>
        <source>This person already has a printed badge. Why print another one?</source>
        <translation>Diese Person hat bereits ein gedrucktes Namensschild. Warum ein weiteres drucken?</translation>
    </message>
    <message>
        <source>Badge lost</source>
        <translation>Namensschild verloren</translation>
    </message>
    <message>
        <source>Badge damaged</source>
        <translation>Namensschild beschädigt</translation>
    </message>
    <message>
        <source>Details corrected</source>
        <translation>Angaben korrigiert</translation>
    </message>
    <message>
        <source>Printer jammed</source>
        <translation>Papierstau im Drucker</translation>
    </message>
    <message>
        <source>Undo check-in</source>
        <translation>Check-in zurücknehmen</translation>
    </message>
    <message>
        <source>Undo today&apos;s check-in of %1?</source>
        <translation>Den heutigen Check-in von %1 zurücknehmen?</translation>
    </message>
    <message>
        <source>Wrong person checked in</source>
        <translation>Falsche Person eingecheckt</translation>
    </message>
    <message>
        <source>Checked in by mistake</source>
        <translation>Versehentlich eingecheckt</translation>
    </message>
    <message>
        <source>Left again</source>
        <translation>Wieder gegangen</translation>
    </message>
    <message>
        <source>Admit for today</source>
        <translation>Für heute einlassen</translation>
    </message>
    <message>
        <source>Registered for: %1, not for today. Admit today anyway? The reason goes into the log with your name.</source>
        <translation>Angemeldet für: %1, nicht für heute. Trotzdem heute einlassen? Der Grund wird mit Ihrem Namen protokolliert.</translation>
    </message>
    <message>
        <source>Day ticket sold at the desk</source>
        <translation>Tageskarte am Schalter verkauft</translation>
    </message>
    <message>
        <source>Organiser&apos;s decision</source>
        <translation>Entscheidung der Veranstaltungsleitung</translation>
    </message>
    <message>
        <source>Registered for the wrong day by mistake</source>
        <translation>Versehentlich für den falschen Tag angemeldet</translation>
    </message>
</context>
<context>
    <name>ResultCard</name>
    <message>
        <source>★ VIP</source>
        <translation>★ VIP</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>Hinweis: %1</translation>
    </message>
    <message>
        <source>Ready: scan a code or type a name</source>
        <translation>Bereit: Code scannen oder Namen eingeben</translation>
    </message>
    <message>
        <source>Opening the event…</source>
        <translation>Veranstaltung wird geöffnet…</translation>
    </message>
    <message>
        <source>One moment…</source>
        <translation>Einen Moment…</translation>
    </message>
    <message>
        <source>WELCOME: checked in</source>
        <translation>WILLKOMMEN: eingecheckt</translation>
    </message>
    <message>
        <source>ALREADY CHECKED IN</source>
        <translation>BEREITS EINGECHECKT</translation>
    </message>
    <message>
        <source>NOT REGISTERED FOR TODAY</source>
        <translation>FÜR HEUTE NICHT ANGEMELDET</translation>
    </message>
    <message>
        <source>CANCELLED: do not admit</source>
        <translation>STORNIERT: kein Einlass</translation>
    </message>
    <message>
        <source>UNKNOWN CODE</source>
        <translation>UNBEKANNTER CODE</translation>
    </message>
    <message>
        <source>CODE NOT VALID</source>
        <translation>CODE UNGÜLTIG</translation>
    </message>
    <message>
        <source>Not a code: searching</source>
        <translation>Kein Code: Suche läuft</translation>
    </message>
    <message>
        <source>Found: press Enter to check in</source>
        <translation>Gefunden: Eingabetaste checkt ein</translation>
    </message>
    <message>
        <source>Found: already checked in</source>
        <translation>Gefunden: bereits eingecheckt</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche…</translation>
    </message>
    <message>
        <source>Choose the person</source>
        <translation>Person wählen</translation>
    </message>
    <message>
        <source>No one found</source>
        <translation>Niemand gefunden</translation>
    </message>
    <message>
        <source>Check-in undone</source>
        <translation>Check-in zurückgenommen</translation>
    </message>
    <message>
        <source>WALK-IN REGISTERED: checked in</source>
        <translation>VOR ORT ANGEMELDET: eingecheckt</translation>
    </message>
    <message>
        <source>Details saved</source>
        <translation>Angaben gespeichert</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>Etwas ist schiefgegangen</translation>
    </message>
    <message>
        <source>The event database cannot be opened</source>
        <translation>Die Veranstaltungsdatenbank lässt sich nicht öffnen</translation>
    </message>
    <message>
        <source>NOT CHECKED IN: scan again</source>
        <translation>NICHT EINGECHECKT: bitte erneut scannen</translation>
    </message>
    <message>
        <source>This confirmation was revoked; a newer one replaces it.</source>
        <translation>Diese Bestätigung wurde widerrufen; eine neuere ersetzt sie.</translation>
    </message>
    <message>
        <source>The registration is cancelled.</source>
        <translation>Die Anmeldung ist storniert.</translation>
    </message>
    <message>
        <source>Not registered for today (%1). Registered for: %2.</source>
        <translation>Heute nicht angemeldet (%1). Angemeldet für: %2.</translation>
    </message>
    <message>
        <source>Not registered for today (%1).</source>
        <translation>Heute nicht angemeldet (%1).</translation>
    </message>
    <message>
        <source>Admit today anyway (a day ticket sold here, the organiser&apos;s decision): Ctrl+Return, which asks why.</source>
        <translation>Trotzdem heute einlassen (Tageskarte hier verkauft, Entscheidung der Veranstaltungsleitung): Strg+Eingabe, fragt nach dem Grund.</translation>
    </message>
    <message>
        <source>A valid confirmation, but no one in this attendee list has it.</source>
        <translation>Eine gültige Bestätigung, aber niemand in dieser Teilnehmerliste hat sie.</translation>
    </message>
    <message>
        <source>No attendee with this id.</source>
        <translation>Kein Teilnehmer mit dieser ID.</translation>
    </message>
    <message>
        <source>No attendee has this code.</source>
        <translation>Kein Teilnehmer hat diesen Code.</translation>
    </message>
    <message>
        <source>Ask for the name and an ID, then type the name: the field is ready.</source>
        <translation>Nach Namen und Ausweis fragen, dann den Namen eingeben: das Feld ist bereit.</translation>
    </message>
    <message>
        <source>This confirmation is signed with key %1, which was revoked: a newer confirmation replaces it.</source>
        <translation>Diese Bestätigung ist mit Schlüssel %1 signiert, der widerrufen wurde: eine neuere Bestätigung ersetzt sie.</translation>
    </message>
    <message>
        <source>This confirmation is signed with key %1, which this event does not list (another event, or a key not received yet).</source>
        <translation>Diese Bestätigung ist mit Schlüssel %1 signiert, den diese Veranstaltung nicht kennt (eine andere Veranstaltung oder ein noch nicht empfangener Schlüssel).</translation>
    </message>
    <message>
        <source>The code does not check out. Most likely the screen or the printout is damaged (a crack, a fold, a smudge); rarely, the code was forged.</source>
        <translation>Der Code lässt sich nicht bestätigen. Meist ist der Bildschirm oder der Ausdruck beschädigt (ein Sprung, ein Knick, ein Fleck); selten ist der Code gefälscht.</translation>
    </message>
    <message>
        <source>The code is incomplete or unreadable: most likely a damaged screen or printout.</source>
        <translation>Der Code ist unvollständig oder unlesbar: meist ein beschädigter Bildschirm oder Ausdruck.</translation>
    </message>
    <message>
        <source>Delegate</source>
        <translation>Teilnehmer/in</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Referent/in</translation>
    </message>
    <message>
        <source>Press</source>
        <translation>Presse</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Team</translation>
    </message>
    <message>
        <source>Exhibitor</source>
        <translation>Aussteller</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>Organiser</source>
        <translation>Veranstalter</translation>
    </message>
    <message>
        <source>Student</source>
        <translation>Studierende</translation>
    </message>
    <message>
        <source>Start the station with the event&apos;s database: checkin-station --db FILE (or set CHECKIN_DB). No event yet? checkin import FILE makes one.</source>
        <translation>Starten Sie die Station mit der Datenbank der Veranstaltung: checkin-station --db DATEI (oder CHECKIN_DB setzen). Noch keine Veranstaltung? checkin import DATEI legt eine an.</translation>
    </message>
    <message>
        <source>The answer takes longer than usual: the event database is busy (another program may be writing to it). Please do not scan again.</source>
        <translation>Die Antwort dauert länger als sonst: die Veranstaltungsdatenbank ist belegt (vielleicht schreibt ein anderes Programm hinein). Bitte nicht noch einmal scannen.</translation>
    </message>
    <message>
        <source>Scanner: just scan, the answer appears here.
Name: type a few letters, ↑↓ to choose, Enter checks in.
Nobody found: Ctrl+N registers a walk-in.</source>
        <translation>Scanner: einfach scannen, die Antwort erscheint hier.
Name: ein paar Buchstaben tippen, ↑↓ wählt, Eingabetaste checkt ein.
Niemand gefunden: Strg+N meldet vor Ort an.</translation>
    </message>
    <message>
        <source>Checked in at %1, %2</source>
        <translation>Eingecheckt um %1, %2</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>von %1</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>Delegate</source>
        <translation>Teilnehmer/in</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Referent/in</translation>
    </message>
    <message>
        <source>Press</source>
        <translation>Presse</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Team</translation>
    </message>
    <message>
        <source>Exhibitor</source>
        <translation>Aussteller</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>Organiser</source>
        <translation>Veranstalter</translation>
    </message>
    <message>
        <source>Student</source>
        <translation>Studierende</translation>
    </message>
</context>
<context>
    <name>ScanPanel</name>
    <message>
        <source>(checked in)</source>
        <translation>(eingecheckt)</translation>
    </message>
    <message>
        <source>(cancelled)</source>
        <translation>(storniert)</translation>
    </message>
    <message>
        <source>No one found. Ctrl+N registers a walk-in.</source>
        <translation>Niemand gefunden. Strg+N meldet vor Ort an.</translation>
    </message>
    <message>
        <source>One match: ↓ chooses, Enter checks in</source>
        <translation>Ein Treffer: ↓ wählt, Eingabetaste checkt ein</translation>
    </message>
    <message>
        <source>%1 matches: ↑↓ choose, Enter checks in</source>
        <translation>%1 Treffer: ↑↓ wählen, Eingabetaste checkt ein</translation>
    </message>
    <message>
        <source>Scan a code or type a name</source>
        <translation>Code scannen oder Namen eingeben</translation>
    </message>
    <message>
        <source>Scan, or type a name…</source>
        <translation>Scannen oder Namen tippen…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>The kiosk PIN must have 4 to 8 digits.</source>
        <translation>Die Kiosk-PIN muss 4 bis 8 Ziffern haben.</translation>
    </message>
    <message>
        <source>Settings not saved: {reason}</source>
        <translation>Einstellungen nicht gespeichert: {reason}</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Station name:</source>
        <translation>&amp;Stationsname:</translation>
    </message>
    <message>
        <source>&amp;Operator:</source>
        <translation>&amp;Bediener/in:</translation>
    </message>
    <message>
        <source>Printer &amp;type:</source>
        <translation>Drucker&amp;typ:</translation>
    </message>
    <message>
        <source>&amp;Printer:</source>
        <translation>&amp;Drucker:</translation>
    </message>
    <message>
        <source>Badge &amp;layout:</source>
        <translation>&amp;Layout des Namensschilds:</translation>
    </message>
    <message>
        <source>Print &amp;badge on first check-in</source>
        <translation>Namensschild beim ersten Check-in dr&amp;ucken</translation>
    </message>
    <message>
        <source>Use a ca&amp;mera</source>
        <translation>&amp;Kamera verwenden</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>Ka&amp;mera:</translation>
    </message>
    <message>
        <source>Play so&amp;unds</source>
        <translation>Tö&amp;ne abspielen</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>S&amp;prache:</translation>
    </message>
    <message>
        <source>&amp;Kiosk PIN:</source>
        <translation>K&amp;iosk-PIN:</translation>
    </message>
    <message>
        <source>Lock when i&amp;dle:</source>
        <translation>Sp&amp;erren bei Untätigkeit nach:</translation>
    </message>
    <message>
        <source>e.g. Desk 1</source>
        <translation>z. B. Schalter 1</translation>
    </message>
    <message>
        <source>who works at this desk</source>
        <translation>wer an diesem Schalter arbeitet</translation>
    </message>
    <message>
        <source>system default printer</source>
        <translation>Standarddrucker des Systems</translation>
    </message>
    <message>
        <source>folder for the badge PDFs (empty: the default folder)</source>
        <translation>Ordner für die Namensschild-PDFs (leer: der Standardordner)</translation>
    </message>
    <message>
        <source>device, e.g. usb://0x04f9:0x209b or tcp://192.168.1.20</source>
        <translation>Gerät, z. B. usb://0x04f9:0x209b oder tcp://192.168.1.20</translation>
    </message>
    <message>
        <source>PDF files in a folder</source>
        <translation>PDF-Dateien in einem Ordner</translation>
    </message>
    <message>
        <source>CUPS printer</source>
        <translation>CUPS-Drucker</translation>
    </message>
    <message>
        <source>Brother QL label printer</source>
        <translation>Brother-QL-Etikettendrucker</translation>
    </message>
    <message>
        <source>System print dialog printer</source>
        <translation>Drucker aus dem Druckdialog des Systems</translation>
    </message>
    <message>
        <source>4 to 8 digits (empty: asked at the first kiosk start)</source>
        <translation>4 bis 8 Ziffern (leer: wird beim ersten Kioskstart gefragt)</translation>
    </message>
    <message>
        <source>The staff PIN: it leaves kiosk mode and unlocks the locked station.</source>
        <translation>Die Personal-PIN: sie verlässt den Kioskmodus und entsperrt die gesperrte Station.</translation>
    </message>
    <message>
        <source> min</source>
        <translation> Min.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>System default camera</source>
        <translation>Standardkamera des Systems</translation>
    </message>
    <message>
        <source>{camera} (not connected)</source>
        <translation>{camera} (nicht angeschlossen)</translation>
    </message>
</context>
<context>
    <name>StationStatusBar</name>
    <message>
        <source>Station: {name}</source>
        <translation>Station: {name}</translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation>(ohne Namen)</translation>
    </message>
    <message>
        <source>No event day</source>
        <translation>Kein Veranstaltungstag</translation>
    </message>
    <message>
        <source>Day: {date}</source>
        <translation>Tag: {date}</translation>
    </message>
    <message>
        <source>Checked in: {checked_in} / {expected} ({percent} %)</source>
        <translation>Eingecheckt: {checked_in} / {expected} ({percent} %)</translation>
    </message>
    <message>
        <source>{state} ({reason})</source>
        <translation>{state} ({reason})</translation>
    </message>
    <message>
        <source>{count} failed</source>
        <translation>{count} fehlgeschlagen</translation>
    </message>
    <message>
        <source>Printer: {state} · {queued} in queue</source>
        <translation>Drucker: {state} · {queued} in der Warteschlange</translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation>Drucker: {state}</translation>
    </message>
    <message>
        <source>Hub: connected</source>
        <translation>Hub: verbunden</translation>
    </message>
    <message>
        <source>Hub: offline since {time}</source>
        <translation>Hub: offline seit {time}</translation>
    </message>
    <message>
        <source>Hub: not reached yet</source>
        <translation>Hub: noch nicht erreicht</translation>
    </message>
    <message>
        <source>1 event waiting</source>
        <translation>1 Ereignis wartet</translation>
    </message>
    <message>
        <source>{n} events waiting</source>
        <translation>{n} Ereignisse warten</translation>
    </message>
    <message>
        <source>all synced</source>
        <translation>alles synchronisiert</translation>
    </message>
    <message>
        <source>pretix via hub</source>
        <translation>pretix über den Hub</translation>
    </message>
    <message>
        <source>pretix</source>
        <translation>pretix</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>pulled {time}</source>
        <translation>abgerufen {time}</translation>
    </message>
    <message>
        <source>connected, not pulled yet</source>
        <translation>verbunden, noch nicht abgerufen</translation>
    </message>
    <message>
        <source>1 admission waiting</source>
        <translation>1 Check-in wartet</translation>
    </message>
    <message>
        <source>{n} admissions waiting</source>
        <translation>{n} Check-ins warten</translation>
    </message>
    <message>
        <source>all sent</source>
        <translation>alles gesendet</translation>
    </message>
    <message>
        <source>{n} refused</source>
        <translation>{n} abgelehnt</translation>
    </message>
</context>
</TS>
