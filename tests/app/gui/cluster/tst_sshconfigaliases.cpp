#include "gui/cluster/sshconfigaliases.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sweepline::gui;

using Files = QMap<QString, QString>; // path under the test's .ssh folder -> content

class TestSshConfigAliases : public QObject {
    Q_OBJECT
private slots:
    void aliases_data();
    void aliases();
    void missingFileGivesNothing();
};

void TestSshConfigAliases::aliases_data()
{
    QTest::addColumn<Files>("files");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("plain") << Files{{u"config"_s, u"Host flow\n  HostName flow.cc.nagoya-u.ac.jp\nHost fugaku\n"_s}}
                           << QStringList{u"flow"_s, u"fugaku"_s};
    QTest::addRow("several names, patterns skipped")
        << Files{{u"config"_s, u"Host a b *.example.org c? !d e\nHost *\n  User me\n"_s}}
        << QStringList{u"a"_s, u"b"_s, u"e"_s};
    QTest::addRow("case, equals, tabs, comments, quotes")
        << Files{{u"config"_s,
                  u"# Host commented\nhost\tone # trailing comment\nHOST=two\nHost = three\nHost \"four\"\n"_s}}
        << QStringList{u"one"_s, u"two"_s, u"three"_s, u"four"_s};
    QTest::addRow("repeats once") << Files{{u"config"_s, u"Host a\nHost b a\n"_s}} << QStringList{u"a"_s, u"b"_s};
    QTest::addRow("Match blocks are not hosts")
        << Files{{u"config"_s, u"Match host x exec true\n  User y\nHost z\n"_s}} << QStringList{u"z"_s};
    QTest::addRow("include relative to .ssh, in place")
        << Files{{u"config"_s, u"Host first\nInclude clusters\nHost last\n"_s}, {u"clusters"_s, u"Host middle\n"_s}}
        << QStringList{u"first"_s, u"middle"_s, u"last"_s};
    QTest::addRow("include glob, sorted") << Files{{u"config"_s, u"Include config.d/*.conf\n"_s},
                                                   {u"config.d/20-b.conf"_s, u"Host b\n"_s},
                                                   {u"config.d/10-a.conf"_s, u"Host a\n"_s},
                                                   {u"config.d/ignored.txt"_s, u"Host no\n"_s}}
                                          << QStringList{u"a"_s, u"b"_s};
    QTest::addRow("nested include") << Files{{u"config"_s, u"Include one\n"_s},
                                             {u"one"_s, u"Host x\nInclude two\n"_s},
                                             {u"two"_s, u"Host y\n"_s}}
                                    << QStringList{u"x"_s, u"y"_s};
    QTest::addRow("include loop ends") << Files{{u"config"_s, u"Host a\nInclude config\n"_s}} << QStringList{u"a"_s};
    QTest::addRow("missing include") << Files{{u"config"_s, u"Include nowhere\nHost a\n"_s}} << QStringList{u"a"_s};
}

void TestSshConfigAliases::aliases()
{
    QFETCH(Files, files);
    QFETCH(QStringList, expected);
    QTemporaryDir dir;
    const QDir ssh(dir.filePath(u".ssh"_s));
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = ssh.filePath(it.key());
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(it.value().toUtf8());
    }
    QCOMPARE(sshConfigHostAliases(ssh.filePath(u"config"_s), ssh.path()), expected);
}

void TestSshConfigAliases::missingFileGivesNothing()
{
    QTemporaryDir dir;
    QCOMPARE(sshConfigHostAliases(dir.filePath(u"none"_s), dir.path()), QStringList{});
}

QTEST_GUILESS_MAIN(TestSshConfigAliases)
#include "tst_sshconfigaliases.moc"
