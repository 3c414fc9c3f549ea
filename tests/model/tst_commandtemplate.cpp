#include "model/commandtemplate.h"
#include "support/verifyresult.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sweepline::model;

class TestCommandTemplate : public QObject {
    Q_OBJECT

private:
    // Runs `printf %s <quoted>` through a real /bin/sh in an empty folder; returns what it printed.
    static QString echoThroughShell(const QString& quoted, const QString& workingDirectory)
    {
        QProcess shell;
        shell.setWorkingDirectory(workingDirectory);
        shell.start(u"/bin/sh"_s, {u"-c"_s, u"printf %s "_s + quoted});
        if (!shell.waitForFinished(10000))
            return u"<sh did not finish>"_s;
        if (shell.exitStatus() != QProcess::NormalExit || shell.exitCode() != 0)
            return u"<sh failed: %1>"_s.arg(QString::fromUtf8(shell.readAllStandardError()));
        return QString::fromUtf8(shell.readAllStandardOutput());
    }

    static QStringList entriesOf(const QString& path)
    {
        return QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    }

private slots:
    void shellQuoteExact_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::addRow("safe word") << u"adam"_s << u"adam"_s;
        QTest::addRow("safe path and number") << u"./data/x-1.5e+3,a=b@c%d:e"_s << u"./data/x-1.5e+3,a=b@c%d:e"_s;
        QTest::addRow("empty") << QString() << u"''"_s;
        QTest::addRow("space") << u"a b"_s << u"'a b'"_s;
        QTest::addRow("single quote") << u"it's"_s << uR"('it'\''s')"_s;
        QTest::addRow("only a quote") << u"'"_s << uR"(''\''')"_s;
        QTest::addRow("dollar") << u"$HOME"_s << u"'$HOME'"_s;
        QTest::addRow("tilde") << u"~"_s << u"'~'"_s;
        QTest::addRow("glob") << u"*"_s << u"'*'"_s;
        QTest::addRow("unicode") << u"ß"_s << u"'ß'"_s;
    }

    void shellQuoteExact()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QCOMPARE(shellQuote(value), expected);
    }

    void shellQuoteSurvivesShell_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addRow("quote breakout") << u"x'; touch INJECTED; echo '"_s;
        QTest::addRow("command substitution") << u"$(touch INJECTED)"_s;
        QTest::addRow("backticks") << u"`touch INJECTED`"_s;
        QTest::addRow("semicolon") << u"a;touch INJECTED"_s;
        QTest::addRow("pipe and redirect") << u"a | tee INJECTED > INJECTED"_s;
        QTest::addRow("ampersand") << u"a & touch INJECTED &"_s;
        QTest::addRow("spaces") << u"  several   spaces  "_s;
        QTest::addRow("tab") << u"a\tb"_s;
        QTest::addRow("newline") << u"line1\ntouch INJECTED"_s;
        QTest::addRow("empty") << QString();
        QTest::addRow("unicode") << u"学習率 λ=0.1 😀"_s;
        QTest::addRow("backslashes") << u"a\\b\\\\c\\"_s;
        QTest::addRow("double quotes") << u"\"$(touch INJECTED)\""_s;
        QTest::addRow("variables") << u"${HOME} $0 $@ $$"_s;
        QTest::addRow("glob and tilde") << u"~ * ? [a]"_s;
        QTest::addRow("many quotes") << u"''''"_s;
        QTest::addRow("leading dash") << u"-n"_s;
        QTest::addRow("percent") << u"%s%d%%"_s;
        QTest::addRow("history and braces") << u"!! {a,b} #comment"_s;
    }

    void shellQuoteSurvivesShell()
    {
        QFETCH(QString, value);
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QCOMPARE(echoThroughShell(shellQuote(value), folder.path()), value);
        QCOMPARE(entriesOf(folder.path()), QStringList());
    }

    void renderSurvivesShell()
    {
        const auto command = CommandTemplate::parse(u"printf %s {a}{{-}}{b}"_s);
        QVERIFY_RESULT(command);
        const QString a = u"x'; touch INJECTED; echo '"_s;
        const QString b = u"$(touch INJECTED)"_s;
        const QString rendered = command->render({{u"a"_s, a}, {u"b"_s, b}});
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QProcess shell;
        shell.setWorkingDirectory(folder.path());
        shell.start(u"/bin/sh"_s, {u"-c"_s, rendered});
        QVERIFY(shell.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(shell.readAllStandardOutput()), a + u"{-}"_s + b);
        QCOMPARE(entriesOf(folder.path()), QStringList());
    }

    void renderInContextSurvivesShell_data()
    {
        QTest::addColumn<QString>("shell");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expectedAroundValue"); // "%1" stands for the value
        for (const QString& shell : {u"/bin/sh"_s, u"/bin/bash"_s}) {
            const auto add = [&](const char* name, const QString& text, const QString& expected) {
                QTest::addRow("%s %s", qPrintable(shell), name) << shell << text << expected;
            };
            add("bare", u"printf %s {a}"_s, u"%1"_s);
            add("substitution in double quotes", u"printf %s \"$(printf '<%s>' {a})\""_s, u"<%1>"_s);
            add("quotes around", u"printf %s \"it's\"{a}'\"'"_s, u"it's%1\""_s);
            add("escaped backslash before", u"printf %s \\\\{a}"_s, u"\\%1"_s);
            add("comment after", u"printf %s {a} # don't"_s, u"%1"_s);
        }
    }

    void renderInContextSurvivesShell()
    {
        QFETCH(QString, shell);
        QFETCH(QString, text);
        QFETCH(QString, expectedAroundValue);
        if (!QFileInfo::exists(shell))
            QSKIP("shell not installed");
        const auto command = CommandTemplate::parse(text);
        QVERIFY_RESULT(command);
        const QString value = u"x'\"; touch INJECTED; echo ')$(touch INJECTED)`touch INJECTED`\\"_s;
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QProcess process;
        process.setWorkingDirectory(folder.path());
        process.start(shell, {u"-c"_s, command->render({{u"a"_s, value}})});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(process.readAllStandardError()), QString());
        QCOMPARE(QString::fromUtf8(process.readAllStandardOutput()), expectedAroundValue.arg(value));
        QCOMPARE(entriesOf(folder.path()), QStringList());
    }

    void render_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addRow("plain") << u"python3 train.py"_s << u"python3 train.py"_s;
        QTest::addRow("safe values") << u"run --lr {lr} --solver {solver}"_s << u"run --lr 0.001 --solver adam"_s;
        QTest::addRow("quoted value") << u"echo {name}"_s << u"echo 'my run'"_s;
        QTest::addRow("adjacent") << u"{lr}{solver}"_s << u"0.001adam"_s;
        QTest::addRow("repeated") << u"{lr} {lr}"_s << u"0.001 0.001"_s;
        QTest::addRow("literal braces") << u"awk '{{print $1}}' {lr}"_s << u"awk '{print $1}' 0.001"_s;
        QTest::addRow("triple braces") << u"{{{lr}}}"_s << u"{0.001}"_s;
        QTest::addRow("empty value") << u"run {empty}"_s << u"run ''"_s;
        QTest::addRow("empty template") << QString() << QString();
    }

    void render()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto command = CommandTemplate::parse(text);
        QVERIFY_RESULT(command);
        const QHash<QString, QString> values = {
            {u"lr"_s, u"0.001"_s}, {u"solver"_s, u"adam"_s}, {u"name"_s, u"my run"_s}, {u"empty"_s, QString()}};
        QCOMPARE(command->render(values), expected);
    }

    void placeholders_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("none") << u"run"_s << QStringList();
        QTest::addRow("escaped only") << u"{{x}}"_s << QStringList();
        QTest::addRow("order of appearance") << u"{b} {a} {b} {_c1}"_s << QStringList{u"b"_s, u"a"_s, u"_c1"_s};
        // Placeholders where the shell reads a bare word, with quotes elsewhere in the command.
        const QStringList a = {u"a"_s};
        QTest::addRow("quoted words around") << u"printf '%s' {a} \"b c\" 'd'"_s << a;
        QTest::addRow("single quote inside double quotes") << u"echo \"it's\" {a}"_s << a;
        QTest::addRow("double quotes inside single quotes") << u"echo 'say \"hi\"' {a}"_s << a;
        QTest::addRow("escaped quotes") << u"echo \\' \\\" {a}"_s << a;
        QTest::addRow("escaped backslash") << u"echo \\\\{a}"_s << a;
        QTest::addRow("backslash inside single quotes") << u"echo 'a\\' {a}"_s << a;
        QTest::addRow("escaped quote in $'...'") << u"echo $'it\\'s' {a}"_s << a;
        QTest::addRow("empty quotes") << u"echo '' \"\" {a}"_s << a;
        QTest::addRow("quote right after") << u"echo {a}'-suffix'"_s << a;
        QTest::addRow("variable in double quotes") << u"echo \"$HOME\" {a}"_s << a;
        QTest::addRow("process id") << u"echo $$ {a}"_s << a;
        QTest::addRow("command substitution") << u"echo $(printf %s {a})"_s << a;
        QTest::addRow("substitution in double quotes") << u"echo \"$(printf %s {a})\""_s << a;
        QTest::addRow("quotes in substitution") << u"echo \"$(printf '%s)' {a} \")\")\""_s << a;
        QTest::addRow("subshell in substitution") << u"echo $( (cd /tmp; printf %s {a}) )"_s << a;
        QTest::addRow("arithmetic") << u"echo $(( {a} + 1 ))"_s << a;
        QTest::addRow("comment") << u"run {a} # don't tune {b}"_s << QStringList{u"a"_s, u"b"_s};
    }

    void placeholders()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        const auto command = CommandTemplate::parse(text);
        QVERIFY_RESULT(command);
        QCOMPARE(command->placeholders(), expected);
    }

    void parseErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::addRow("unclosed at end") << u"run {lr"_s << u"unclosed '{' at column 5"_s;
        QTest::addRow("lone open") << u"{"_s << u"unclosed '{' at column 1"_s;
        QTest::addRow("open before placeholder") << u"a {b {c}"_s << u"unclosed '{' at column 3"_s;
        QTest::addRow("stray close") << u"run lr}"_s << u"stray '}' at column 7; write }} for a literal brace"_s;
        QTest::addRow("stray after placeholder")
            << u"{a}}"_s << u"stray '}' at column 4; write }} for a literal brace"_s;
        QTest::addRow("empty") << u"run {} x"_s << u"empty placeholder '{}' at column 5"_s;
        QTest::addRow("shell braces")
            << u"awk '{print $1}'"_s
            << u"invalid placeholder {print $1} at column 6; write {{ and }} for literal braces"_s;
        QTest::addRow("digit first") << u"{1x}"_s
                                     << u"invalid placeholder {1x} at column 1; write {{ and }} for literal braces"_s;
        // Columns count characters, not UTF-16 units or bytes.
        QTest::addRow("after emoji") << u"😀 {"_s << u"unclosed '{' at column 3"_s;
        QTest::addRow("after umlaut") << u"ü}"_s << u"stray '}' at column 2; write }} for a literal brace"_s;

        // A value is quoted for a bare word; inside quotes its quoting breaks.
        const auto inQuotes = [](const char* name, int column) {
            return u"placeholder {%1} at column %2 is inside quotes; write it bare: values are quoted for the shell"_s
                .arg(QString::fromLatin1(name), QString::number(column));
        };
        QTest::addRow("in double quotes") << u"python3 train.py --mode \"{mode}\""_s << inQuotes("mode", 26);
        QTest::addRow("in single quotes") << u"echo '{x}'"_s << inQuotes("x", 7);
        QTest::addRow("in a double-quoted word") << u"run \"--x={x}\""_s << inQuotes("x", 10);
        QTest::addRow("in $'...'") << u"echo $'{x}'"_s << inQuotes("x", 8);
        QTest::addRow("in $\"...\"") << u"echo $\"{x}\""_s << inQuotes("x", 8);
        QTest::addRow("in quotes in a substitution") << u"echo $(printf '{x}')"_s << inQuotes("x", 16);
        QTest::addRow("second placeholder") << u"run {a} '{b}'"_s << inQuotes("b", 10);
        QTest::addRow("'#' inside a word") << u"echo a#'{x}'"_s << inQuotes("x", 9);
        QTest::addRow("after emoji in quotes") << u"😀 \"{x}\""_s << inQuotes("x", 4);
        QTest::addRow("after a backslash")
            << u"echo \\{x}"_s
            << u"placeholder {x} at column 7 follows a backslash; write it bare: values are quoted for the shell"_s;
        QTest::addRow("after a dollar")
            << u"echo ${x}"_s
            << u"placeholder {x} at column 7 follows '$'; write it bare: values are quoted for the shell"_s;
        // The shell ends `...` at the first backquote, also at one inside the value's quotes.
        const auto inBackquotes = [](int column) {
            return u"placeholder {x} at column %1 is inside `...`; write $(...) instead: a backquote in a value would end `...`"_s
                .arg(column);
        };
        QTest::addRow("in backquotes") << u"echo `printf %s {x}`"_s << inBackquotes(17);
        QTest::addRow("in a substitution in backquotes") << u"echo `echo $(printf {x})`"_s << inBackquotes(21);
        QTest::addRow("in backquotes in double quotes") << u"echo \"`printf %s {x}`\""_s << inBackquotes(18);

        // An open quote would swallow the rest of the job script.
        QTest::addRow("unterminated '") << u"echo {x} 'abc"_s << u"unterminated ' quote starting at column 10"_s;
        QTest::addRow("unterminated \"") << u"echo {x} \"it's"_s << u"unterminated \" quote starting at column 10"_s;
        QTest::addRow("escaped closing quote")
            << u"echo {x} \"a\\\""_s << u"unterminated \" quote starting at column 10"_s;
        QTest::addRow("unterminated $'") << u"echo {x} $'a\\'"_s << u"unterminated $' quote starting at column 10"_s;
        QTest::addRow("unterminated `") << u"echo {x} `date"_s << u"unterminated ` quote starting at column 10"_s;
        QTest::addRow("innermost unterminated")
            << u"echo {x} \"$(echo 'a"_s << u"unterminated ' quote starting at column 18"_s;
    }

    void parseErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        const auto command = CommandTemplate::parse(text);
        QVERIFY(!command.ok());
        QCOMPARE(command.error(), error);
    }
};

QTEST_GUILESS_MAIN(TestCommandTemplate)
#include "tst_commandtemplate.moc"
