// quoteForRemoteShell against the login shells sshd may hand a command to: hostile argv elements go
// through sh (dash), bash and tcsh and must arrive exactly as they left.
#include "adaptertest.h"

#include "remote/schedulers/remotequote.h"

using namespace sweepline::remote;
using namespace Qt::StringLiterals;

class TestRemoteQuote : public QObject {
    Q_OBJECT

    static QStringList hostileArguments()
    {
        return {
            u"plain"_s,
            u""_s,
            u" "_s,
            u"a b"_s,
            u"\ttab"_s,
            u"  spaced  out  "_s,
            u"'"_s,
            u"''"_s,
            u"a'b'c"_s,
            u"\\'"_s,
            u"'\\''"_s,
            u"\""_s,
            u"\\\""_s,
            u"\\"_s,
            u"\\\\"_s,
            u"x\\"_s,
            u"\\n"_s,
            u"\\!"_s,
            u"!"_s,
            u"!!"_s,
            u"a!b"_s,
            u"!$"_s,
            u"!-1"_s,
            u"!#"_s,
            u"'!'"_s,
            u"!'!'!"_s,
            u"^a^b"_s,
            u"$HOME"_s,
            u"${HOME}"_s,
            u"$"_s,
            u"$$"_s,
            u"$?"_s,
            u"$var:h"_s,
            u":h"_s,
            u"$(touch INJECTED)"_s,
            u"`touch INJECTED`"_s,
            u"; touch INJECTED"_s,
            u"&& touch INJECTED"_s,
            u"| touch INJECTED"_s,
            u"> INJECTED"_s,
            u"< /etc/passwd"_s,
            u"&"_s,
            u"#"_s,
            u"# comment"_s,
            u"~"_s,
            u"~root"_s,
            u"*"_s,
            u"?"_s,
            u"[a]"_s,
            u"{a,b}"_s,
            u"{}"_s,
            u"=x"_s,
            u"@"_s,
            u"%1"_s,
            u"%s"_s,
            u"-n"_s,
            u"-e"_s,
            u"--"_s,
            u"-"_s,
            u"ünïcödé ✓ 日本語"_s,
            u"jid=1+2+3"_s,
            u"123456[2]"_s,
            u"--format=%i|%j|%T|%S"_s,
            QString(300, u'x') + u"'!"_s,
        };
    }

    struct Shell {
        QString program;
        QStringList options; // before the command string
    };

    static QList<Shell> shells()
    {
        QList<Shell> list{{u"/bin/sh"_s, {u"-c"_s}}, {u"/bin/bash"_s, {u"-c"_s}}};
        const QString tcsh = QStandardPaths::findExecutable(u"tcsh"_s);
        if (!tcsh.isEmpty())
            list.append({tcsh, {u"-f"_s, u"-c"_s}});
        return list;
    }

    static QByteArray run(const Shell& shell, const QString& commandLine, const QString& directory = {})
    {
        QProcess process;
        if (!directory.isEmpty())
            process.setWorkingDirectory(directory);
        process.start(shell.program, shell.options + QStringList{commandLine});
        if (!process.waitForFinished(10000))
            return "<timeout>";
        return process.readAllStandardOutput() + process.readAllStandardError();
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"tcsh"_s).isEmpty())
            qWarning("tcsh is not installed: only sh and bash are tested (apt-get install tcsh)");
    }

    void argumentsArriveVerbatim_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("options");
        for (const Shell& shell : shells())
            QTest::addRow("%s", qPrintable(QFileInfo(shell.program).fileName())) << shell.program << shell.options;
    }
    void argumentsArriveVerbatim()
    {
        QFETCH(QString, program);
        QFETCH(QStringList, options);
        QTemporaryDir tmp; // an injected "touch" or redirection would land here
        QVERIFY(tmp.isValid());
        const QStringList arguments = hostileArguments();
        const QString line = quoteForRemoteShell(QStringList{u"printf"_s, u"<%s>\\n"_s} + arguments);
        QVERIFY(!line.isEmpty());
        QByteArray expected;
        for (const QString& argument : arguments)
            expected += '<' + argument.toUtf8() + ">\n";
        QCOMPARE(run({program, options}, line, tmp.path()), expected);
        QVERIFY(QDir(tmp.path()).isEmpty());
    }

    void eachArgumentAlone_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("argument");
        for (const Shell& shell : shells()) {
            for (const QString& argument : hostileArguments()) {
                QTest::addRow("%s %s", qPrintable(QFileInfo(shell.program).fileName()), qPrintable(argument.left(40)))
                    << shell.program << shell.options << argument;
            }
        }
    }
    void eachArgumentAlone()
    {
        QFETCH(QString, program);
        QFETCH(QStringList, options);
        QFETCH(QString, argument);
        const QString line = quoteForRemoteShell({u"printf"_s, u"%s"_s, argument});
        QCOMPARE(QString::fromUtf8(run({program, options}, line)), argument);
    }

    void workingDirectory_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("options");
        for (const Shell& shell : shells())
            QTest::addRow("%s", qPrintable(QFileInfo(shell.program).fileName())) << shell.program << shell.options;
    }
    void workingDirectory()
    {
        QFETCH(QString, program);
        QFETCH(QStringList, options);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString nasty = QDir(tmp.path()).filePath(u"a b'c!d$HOME"_s);
        QVERIFY(QDir().mkpath(nasty));
        const QString line = remoteCommandLine({{u"pwd"_s}, nasty});
        QCOMPARE(QString::fromUtf8(run({program, options}, line)), nasty + u'\n');
    }

    void simpleWordsStayReadable()
    {
        QCOMPARE(quoteForRemoteShell({u"squeue"_s, u"--noheader"_s, u"--name=sw1a2b3c4d-1,sw1a2b3c4d-2"_s}),
                 u"squeue --noheader --name=sw1a2b3c4d-1,sw1a2b3c4d-2"_s);
        QCOMPARE(quoteForRemoteShell({u"qstat"_s, u"123[1].pbs-server"_s}), u"qstat '123[1].pbs-server'"_s);
        QCOMPARE(quoteForRemoteShell({u"echo"_s, u"it's!"_s}), u"echo 'it'\\''s'\\!''"_s);
        QCOMPARE(quoteForRemoteShell({u"echo"_s, u""_s}), u"echo ''"_s);
        QCOMPARE(remoteCommandLine({{u"pjsub"_s, u"/r/7/job.sh"_s}, u"/r/7"_s}), u"cd /r/7 && pjsub /r/7/job.sh"_s);
        QCOMPARE(remoteCommandLine({{u"ls"_s}, {}}), u"ls"_s);
    }

    void refuses_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addRow("empty argv") << QStringList();
        QTest::addRow("newline") << QStringList{u"echo"_s, u"a\nb"_s};
        QTest::addRow("carriage return") << QStringList{u"echo"_s, u"a\rb"_s};
        QTest::addRow("NUL") << QStringList{u"echo"_s, u"a"_s + QChar(0) + u"b"_s};
        QTest::addRow("newline in the program") << QStringList{u"echo\n"_s};
    }
    void refuses()
    {
        QFETCH(QStringList, argv);
        QCOMPARE(quoteForRemoteShell(argv), QString());
        QCOMPARE(remoteCommandLine({argv, u"/tmp"_s}), QString());
    }

    void refusesBadWorkingDirectories()
    {
        QCOMPARE(remoteCommandLine({{u"ls"_s}, u"-rf"_s}), QString());
        QCOMPARE(remoteCommandLine({{u"ls"_s}, u"/tmp/a\nb"_s}), QString());
    }
};

QTEST_GUILESS_MAIN(TestRemoteQuote)
#include "tst_remotequote.moc"
