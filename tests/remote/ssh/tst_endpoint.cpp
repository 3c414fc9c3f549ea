// ProxyJump values in every form OpenSSH accepts, compared with what OpenSSH itself makes of them;
// bad values; the ProxyCommand under /bin/sh and libssh's %-expansion with hostile values; the
// sanitizer of server text; SecretBuffer.
#include "remote/ssh/credentialprompter.h"
#include "remote/ssh/endpoint.h"
#include "remote/ssh/secretbuffer.h"
#include "remote/ssh/sshsession.h"
#include "support/refusingprompter.h"
#include "support/verifyresult.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/mman.h>

using namespace Qt::StringLiterals;
using namespace sweepline::remote::ssh;

namespace {

QString writeFile(const QString& path, const QString& text,
                  QFile::Permissions mode = QFile::ReadOwner | QFile::WriteOwner)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.toUtf8()) < 0)
        qFatal("cannot write %s", qPrintable(path));
    f.close();
    f.setPermissions(mode);
    return path;
}

// How OpenSSH itself starts the last hop: "ssh -v" logs the implicit ProxyCommand it builds from
// ProxyJump before it connects ("ssh [-l user] [-p port] [-J earlier] -F cfg -v -W '[%h]:%p' host").
struct OpenSshHop {
    QString user;
    QString port;
    QString earlier;
    QString host;
};

OpenSshHop openSshLastHop(const QString& config, const QString& alias)
{
    QProcess p;
    p.start(u"ssh"_s,
            {u"-v"_s, u"-F"_s, config, u"-o"_s, u"BatchMode=yes"_s, u"-o"_s, u"ConnectTimeout=1"_s, alias, u"true"_s});
    if (!p.waitForFinished(20000))
        p.kill();
    const QString log = QString::fromUtf8(p.readAllStandardError());
    const QRegularExpressionMatch m =
        QRegularExpression(u"Setting implicit ProxyCommand from ProxyJump: (.*)"_s).match(log);
    if (!m.hasMatch())
        return {u"<no implicit ProxyCommand in ssh -v: %1>"_s.arg(log.left(400)), {}, {}, {}};
    const QStringList words = m.captured(1).trimmed().split(u' ');
    OpenSshHop hop;
    for (qsizetype i = 1; i < words.size(); ++i) {
        const QString& w = words.at(i);
        if (w == u"-l"_s)
            hop.user = words.value(++i);
        else if (w == u"-p"_s)
            hop.port = words.value(++i);
        else if (w == u"-J"_s)
            hop.earlier = words.value(++i);
        else if (w == u"-F"_s || w == u"-W"_s)
            ++i;
        else if (!w.startsWith(u'-'))
            hop.host = w;
    }
    return hop;
}

// What ssh -G resolves for a hop started with the given user, port and host.
QMap<QString, QString> sshG(const QString& config, const QStringList& args)
{
    QProcess p;
    p.start(u"ssh"_s, QStringList{u"-G"_s, u"-F"_s, config} + args);
    p.waitForFinished(10000);
    QMap<QString, QString> values;
    for (const QString& line : QString::fromUtf8(p.readAllStandardOutput()).split(u'\n')) {
        const qsizetype space = line.indexOf(u' ');
        if (space > 0 && !values.contains(line.left(space)))
            values.insert(line.left(space), line.mid(space + 1));
    }
    return values;
}

} // namespace

class TestEndpoint : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void parsesEveryForm_data();
    void parsesEveryForm();
    void refusesBadValues_data();
    void refusesBadValues();
    void resolvesLikeOpenSsh_data();
    void resolvesLikeOpenSsh();
    void badProxyJumpNamesTheSetting();
    void hostileValuesReachSshAsSingleArguments();
    void serverTextLosesControlCharacters();
    void secretBufferOwnsItsPages();
};

void TestEndpoint::parsesEveryForm_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QStringList>("hops"); // user|host|port per hop
    QTest::newRow("host") << u"bastion"_s << QStringList{u"|bastion|"_s};
    QTest::newRow("user@host") << u"alice@bastion"_s << QStringList{u"alice|bastion|"_s};
    QTest::newRow("user@host:port") << u"alice@bastion:2201"_s << QStringList{u"alice|bastion|2201"_s};
    QTest::newRow("ssh://user@host:port") << u"ssh://alice@bastion:2201"_s << QStringList{u"alice|bastion|2201"_s};
    QTest::newRow("ssh://user@host") << u"ssh://alice@bastion"_s << QStringList{u"alice|bastion|"_s};
    QTest::newRow("ssh://host/") << u"ssh://bastion/"_s << QStringList{u"|bastion|"_s};
    QTest::newRow("ipv6") << u"[::1]:2202"_s << QStringList{u"|::1|2202"_s};
    QTest::newRow("user@ipv6") << u"bob@[::1]:2202"_s << QStringList{u"bob|::1|2202"_s};
    QTest::newRow("ssh://ipv6") << u"ssh://bob@[fe80::2]:22"_s << QStringList{u"bob|fe80::2|22"_s};
    QTest::newRow("host: (default port, as OpenSSH reads it)") << u"bastion:"_s << QStringList{u"|bastion|"_s};
    QTest::newRow("last @ ends the user") << u"a@b@bastion"_s << QStringList{u"a@b|bastion|"_s};
    QTest::newRow("chain") << u"hop1,alice@hop2:2202,ssh://bob@hop3:2203"_s
                           << QStringList{u"|hop1|"_s, u"alice|hop2|2202"_s, u"bob|hop3|2203"_s};
}

void TestEndpoint::parsesEveryForm()
{
    QFETCH(QString, value);
    QFETCH(QStringList, hops);
    const auto parsed = parseProxyJump(value);
    QVERIFY_RESULT(parsed);
    QCOMPARE(parsed->size(), hops.size());
    for (qsizetype i = 0; i < hops.size(); ++i) {
        const JumpHop& hop = parsed->at(i);
        QCOMPARE(u"%1|%2|%3"_s.arg(hop.user, hop.host, hop.port ? QString::number(*hop.port) : QString()), hops.at(i));
    }
}

void TestEndpoint::refusesBadValues_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected"); // part of the error
    QTest::newRow("empty") << u""_s << u"ProxyJump is empty"_s;
    QTest::newRow("empty hop") << u"hop1,,hop2"_s << u"hop 2 of 3 is empty"_s;
    QTest::newRow("trailing comma") << u"hop1,"_s << u"hop 2 of 2 is empty"_s;
    QTest::newRow("port not a number") << u"hop1:abc"_s << u"port \"abc\" is not a number from 1 to 65535"_s;
    QTest::newRow("port 0") << u"hop1:0"_s << u"port \"0\""_s;
    QTest::newRow("port too big") << u"hop1:99999"_s << u"port \"99999\""_s;
    QTest::newRow("port with sign") << u"hop1:+22"_s << u"port \"+22\""_s;
    QTest::newRow("bare ipv6") << u"::1"_s << u"an IPv6 address needs brackets"_s;
    QTest::newRow("unclosed bracket") << u"[::1:22"_s << u"without closing it"_s;
    QTest::newRow("junk after bracket") << u"[::1]x"_s << u"after ']'"_s;
    QTest::newRow("option as host") << u"-oProxyCommand=touch"_s << u"starts with '-'"_s;
    QTest::newRow("option as user") << u"-oX@hop1"_s << u"starts with '-'"_s;
    QTest::newRow("empty user") << u"@hop1"_s << u"empty user name"_s;
    QTest::newRow("no host") << u"alice@"_s << u"no host name"_s;
    QTest::newRow("shell in host") << u"hop1;touch x"_s << u"holds ';'"_s;
    QTest::newRow("space in host") << u"hop1 hop2"_s << u"holds ' '"_s;
    QTest::newRow("uri with path") << u"ssh://hop1/x"_s << u"has a path"_s;
}

void TestEndpoint::refusesBadValues()
{
    QFETCH(QString, value);
    QFETCH(QString, expected);
    const auto parsed = parseProxyJump(value);
    QVERIFY2(!parsed, qPrintable(u"accepted: "_s + value));
    QVERIFY2(parsed.error().contains(expected), qPrintable(parsed.error()));
    QVERIFY2(parsed.error().contains(u"ProxyJump"_s), qPrintable(parsed.error()));
}

void TestEndpoint::resolvesLikeOpenSsh_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("host") << u"hop1"_s;
    QTest::newRow("user@host") << u"alice@hop1"_s;
    QTest::newRow("user@host:port") << u"alice@hop1:2201"_s;
    QTest::newRow("ssh://user@host:port") << u"ssh://alice@hop1:2201"_s;
    QTest::newRow("ssh://host") << u"ssh://hop1"_s;
    QTest::newRow("ipv6") << u"[::1]:2202"_s;
    QTest::newRow("user@ipv6") << u"bob@[::1]:2202"_s;
    QTest::newRow("host:") << u"hop1:"_s;
    QTest::newRow("chain of two") << u"hop2,alice@hop1:2201"_s;
    QTest::newRow("chain of three") << u"ssh://carol@hop2:2210,hop3,bob@hop1"_s;
}

void TestEndpoint::resolvesLikeOpenSsh()
{
    QFETCH(QString, value);
    // Each hop alias has settings of its own, which must apply unless the value overrides them.
    const QString config = writeFile(m_dir.filePath(u"cmp_config"_s),
                                     u"Host target\n  HostName 192.0.2.10\n  ProxyJump %1\n"
                                     "Host hop1\n  HostName 192.0.2.1\n  User hopuser\n  Port 2222\n"
                                     "Host hop2\n  HostName 192.0.2.2\n"
                                     "Host hop3\n  HostName 192.0.2.3\n  User third\n"
                                     "Host *\n  ConnectTimeout 1\n"_s.arg(value));
    sweepline::model::ClusterSettings cluster;
    cluster.host = u"target"_s;
    cluster.sshConfig = config;
    const auto endpoint = resolveEndpoint(cluster);
    QVERIFY_RESULT(endpoint);
    QVERIFY(!endpoint->jumpHops.isEmpty());
    const JumpHop& last = endpoint->jumpHops.last();

    const OpenSshHop openssh = openSshLastHop(config, u"target"_s);
    QCOMPARE(last.user, openssh.user);
    QCOMPARE(last.port ? QString::number(*last.port) : QString(), openssh.port);
    QCOMPARE(last.host, openssh.host);
    QStringList earlier;
    for (qsizetype i = 0; i + 1 < endpoint->jumpHops.size(); ++i)
        earlier << endpoint->jumpHops.at(i).toJumpSpec();
    // OpenSSH hands the earlier hops on as written; its own reading of them (ssh -G) is the form ours takes.
    // (ssh -G normalizes a single hop, so one at a time).
    QStringList opensshEarlier;
    for (const QString& hop : openssh.earlier.split(u',', Qt::SkipEmptyParts)) {
        const QString again = writeFile(m_dir.filePath(u"earlier_config"_s), u"Host x\n  ProxyJump %1\n"_s.arg(hop));
        opensshEarlier << sshG(again, {u"x"_s}).value(u"proxyjump"_s);
    }
    QCOMPARE(earlier, opensshEarlier);

    // And what each hop resolves to, started as OpenSSH starts it, is what our hop resolved.
    QStringList args;
    if (!openssh.user.isEmpty())
        args << u"-l"_s << openssh.user;
    if (!openssh.port.isEmpty())
        args << u"-p"_s << openssh.port;
    const auto resolved = sshG(config, args << u"--"_s << openssh.host);
    QCOMPARE(last.hostName, resolved.value(u"hostname"_s));
    QVERIFY(!resolved.value(u"user"_s).isEmpty());
    // Our ProxyCommand carries the same words for the last hop.
    if (!openssh.user.isEmpty())
        QVERIFY2(endpoint->proxyCommand.contains(u"-l "_s + openssh.user), qPrintable(endpoint->proxyCommand));
    if (!openssh.port.isEmpty())
        QVERIFY2(endpoint->proxyCommand.contains(u"-p "_s + openssh.port), qPrintable(endpoint->proxyCommand));
    QVERIFY2(endpoint->proxyCommand.contains(u"-W '[192.0.2.10]:22'"_s), qPrintable(endpoint->proxyCommand));
}

void TestEndpoint::badProxyJumpNamesTheSetting()
{
    // OpenSSH itself rejects most bad values; one it lets through must not reach a shell either.
    const QString config = writeFile(m_dir.filePath(u"bad_config"_s),
                                     u"Host target\n  HostName 192.0.2.10\n  ProxyJump -oProxyCommand=x\n"_s);
    sweepline::model::ClusterSettings cluster;
    cluster.host = u"target"_s;
    cluster.sshConfig = config;
    const auto endpoint = resolveEndpoint(cluster);
    QVERIFY(!endpoint);
    QVERIFY2(endpoint.error().startsWith(u"cluster.host \"target\": ProxyJump"_s), qPrintable(endpoint.error()));
    QVERIFY2(endpoint.error().contains(u"starts with '-'"_s), qPrintable(endpoint.error()));
}

void TestEndpoint::hostileValuesReachSshAsSingleArguments()
{
    // The "ssh" here records its arguments; libssh expands %-escapes in the ProxyCommand and runs it
    // with /bin/sh -c, for real.
    const QString record = m_dir.filePath(u"argv.txt"_s);
    const QString marker = m_dir.filePath(u"pwned"_s);
    const QString fakeSsh =
        writeFile(m_dir.filePath(u"fake ssh"_s),
                  u"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '%1'\n"_s.arg(record),
                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString hostileConfig = m_dir.filePath(u"it's a $(touch %1) config"_s).arg(marker);
    const QString hostileUser = u"a'b\"c$(touch %1)`touch %1`;%h%p%%"_s.arg(marker);
    QList<JumpHop> hops(2);
    hops[0].user = hostileUser;
    hops[0].host = u"first"_s;
    hops[0].port = 2201;
    hops[1].user = hostileUser;
    hops[1].host = u"::1"_s;
    hops[1].port = 2202;
    Endpoint e;
    e.alias = u"target"_s;
    e.hostName = u"127.0.0.1"_s;
    e.port = 1; // nothing listens: the fake proxy exits, the connect fails
    e.knownHostsFile = m_dir.filePath(u"known_hosts"_s);
    e.proxyCommand = proxyJumpCommand(fakeSsh, hostileConfig, hops, u"tar%get"_s, 22);
    e.jumpHops = hops;
    SshSession session(std::chrono::seconds(5));
    sweepline::testing::RefusingPrompter prompter;
    QVERIFY(!session.connect(e, prompter, false));
    QTRY_VERIFY(QFile::exists(record));
    QFile f(record);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList argv = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    const QStringList expected{
        u"-F"_s, hostileConfig, u"-o"_s, u"BatchMode=yes"_s, u"-J"_s, hostileUser + u"@first:2201"_s,
        u"-l"_s, hostileUser,   u"-p"_s, u"2202"_s,          u"-W"_s, u"[tar%get]:22"_s,
        u"--"_s, u"::1"_s};
    QCOMPARE(argv, expected);
    QVERIFY(!QFile::exists(marker));
}

void TestEndpoint::serverTextLosesControlCharacters()
{
    const QString hostile = u"\x1b[2J\x1b]0;owned\x07Pass\rword\x08\x7f\u009b31m\u202eevil\u2028:\t"_s;
    QCOMPARE(serverText(hostile), u"[2J]0;ownedPassword31mevil: "_s);
    QCOMPARE(serverText(u"line one\nline two\x1b"_s), u"line oneline two"_s);
    QCOMPARE(serverText(u"line one\nline two\x1b"_s, true), u"line one\nline two"_s);
    QCOMPARE(serverText(u"Verifikationscode (ワンタイム): "_s), u"Verifikationscode (ワンタイム): "_s);
}

void TestEndpoint::secretBufferOwnsItsPages()
{
    SecretBuffer secret = SecretBuffer::fromUtf16(u"pässword 🔑");
    QCOMPARE(QByteArray(secret.c_str()), u"pässword 🔑"_s.toUtf8());
    QVERIFY(secret.excludedFromCoreDumps());
    const char* pages = secret.c_str();
    // The kernel's own word: the mapping's VmFlags carry "dd" (do not dump).
    QFile smaps(u"/proc/self/smaps"_s);
    QVERIFY(smaps.open(QIODevice::ReadOnly));
    const QByteArray start = QByteArray::number(reinterpret_cast<quintptr>(pages), 16) + '-';
    bool inMapping = false;
    QByteArray flags;
    for (const QByteArray& line : smaps.readAll().split('\n')) {
        if (line.startsWith(start))
            inMapping = true;
        else if (inMapping && line.startsWith("VmFlags:")) {
            flags = line;
            break;
        }
    }
    QVERIFY2(flags.split(' ').contains("dd"), flags.constData());
    QCOMPARE(reinterpret_cast<quintptr>(pages) % quintptr(sysconf(_SC_PAGESIZE)), quintptr(0));
    // Moving hands over the same bytes: nothing is copied that would need wiping.
    SecretBuffer moved = std::move(secret);
    QCOMPARE(moved.c_str(), pages);
    QVERIFY(secret.isEmpty()); // NOLINT(bugprone-use-after-move): the moved-from state is what is checked
    QCOMPARE(QByteArray(secret.c_str()), QByteArray()); // NOLINT(bugprone-use-after-move)
    // Growing past a page moves to new pages and wipes and unmaps the old ones.
    for (int i = 0; i < 5000; ++i)
        QVERIFY(moved.append('x'));
    QCOMPARE(moved.size(), std::size_t(u"pässword 🔑"_s.toUtf8().size() + 5000));
    QVERIFY(moved.c_str() != pages);
    unsigned char resident = 0;
    QCOMPARE(mincore(const_cast<char*>(pages), 1, &resident), -1); // unmapped: ENOMEM
    moved.clear();
    QCOMPARE(moved.size(), std::size_t(0));
    QCOMPARE(QByteArray(moved.c_str()), QByteArray());
}

QTEST_GUILESS_MAIN(TestEndpoint)
#include "tst_endpoint.moc"
