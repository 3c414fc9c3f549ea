// The login-node helper's protocol: the request encoding, the reply decoding (framing, hostile
// payloads, replies cut short), and resources/remote/agent.sh itself run by bash on this machine
// against requests full of hostile names and contents, with its helper programs counted.
#include "remote/ssh/agentprotocol.h"
#include "support/verifyresult.h"

#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace sweepline::remote::ssh;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(sweepline::remote::ssh::AgentOperation)

namespace {

QByteArray fields(std::initializer_list<QByteArray> list)
{
    QByteArray out;
    for (const QByteArray& f : list)
        out += f + '\0';
    return out;
}

// Names and contents no shell may ever interpret.
QStringList hostileNames()
{
    return {
        u"x'; touch INJECTED; echo '"_s,
        u"$(touch INJECTED)"_s,
        u"`touch INJECTED`"_s,
        u"a b  c"_s,
        u"\"; touch INJECTED; \""_s,
        u"${IFS}touch${IFS}INJECTED"_s,
        u"-rf"_s,
        u"new\nline"_s,
        u"tab\there"_s,
        u"ünïcödé ✓ 日本語"_s,
        u"*"_s,
        u"END 3"_s,
    };
}

} // namespace

class TestAgentProtocol : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_bin; // wrappers that count the helper's own processes
    QString m_log;

    struct HelperRun {
        QByteArray out;
        QByteArray err;
        int exitCode = -1;
    };

    // The helper's script, installed next to its requests folder as on the cluster.
    QString installedHelper()
    {
        QString helper = m_tmp.filePath(u"agent.sh"_s);
        QFile h(helper);
        if (!h.exists() && (!h.open(QIODevice::WriteOnly) || h.write(agentScript()) != agentScript().size()))
            return {};
        return helper;
    }

    // Runs the helper as the cluster does (bash, the request file as its argument).
    HelperRun runHelper(const QByteArray& request,
                        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        static int n = 0;
        const QString helper = installedHelper();
        const QString requestFile = m_tmp.filePath(u"requests/r%1.req"_s.arg(++n));
        QDir().mkpath(QFileInfo(requestFile).absolutePath());
        if (helper.isEmpty())
            return {};
        QFile r(requestFile);
        if (!r.open(QIODevice::WriteOnly) || r.write(request) != request.size())
            return {};
        r.close();
        QFile::remove(m_log);
        QProcessEnvironment e = env;
        e.insert(u"PATH"_s, m_bin + u':' + env.value(u"PATH"_s, u"/usr/bin:/bin"_s));
        QProcess p;
        p.setProcessEnvironment(e);
        p.setWorkingDirectory(m_tmp.path()); // an injected "touch" would land here
        p.start(u"bash"_s, {u"--norc"_s, helper, requestFile});
        if (!p.waitForFinished(30000))
            return {};
        HelperRun run{p.readAllStandardOutput(), p.readAllStandardError(), p.exitCode()};
        if (QFileInfo::exists(requestFile))
            run.err += "request file left behind";
        return run;
    }

    QStringList helperPrograms() const
    {
        QFile f(m_log);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    }

    void verifyNothingInjected()
    {
        QDirIterator it(m_tmp.path(), {u"INJECTED"_s}, QDir::AllEntries | QDir::Hidden, QDirIterator::Subdirectories);
        QVERIFY2(!it.hasNext(), "a value was interpreted by a shell");
    }

    static bool writeFile(const QString& path, const QByteArray& data)
    {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
    }

    static QByteArray readAll(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_bin = m_tmp.filePath(u"bin"_s);
        m_log = m_tmp.filePath(u"programs.log"_s);
        QVERIFY(QDir().mkpath(m_bin));
        for (const QString& program :
             {u"base64"_s, u"head"_s, u"mkdir"_s, u"chmod"_s, u"mktemp"_s, u"rm"_s, u"mkfifo"_s, u"mv"_s, u"dd"_s}) {
            const QString real = QStandardPaths::findExecutable(program);
            QVERIFY2(!real.isEmpty(), qPrintable(program));
            QFile f(m_bin + u'/' + program);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(u"#!/bin/sh\necho %1 >> '%2'\nexec '%3' \"$@\"\n"_s.arg(program, m_log, real).toUtf8());
            f.close();
            QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        }
    }

    // ---- encoding --------------------------------------------------------------------------------

    void encodesEveryKindAsNulSeparatedFields()
    {
        auto encoded = encodeAgentRequest({
            AgentOperation::run({u"sbatch"_s, u"--parsable"_s, u"/w/1/job.sh"_s}, u"/w/1"_s),
            AgentOperation::read(u"/w/1/exit_code"_s),
            AgentOperation::put(u"/w/ü 1"_s, u"job.sh"_s, 0755, "#!/bin/bash\necho '$(x)'\n"),
            AgentOperation::run({u"true"_s}), AgentOperation::runConcurrently({u"pjsub"_s, u"job.sh"_s}, u"/w/2"_s, 4),
            AgentOperation::runConcurrently({u"true"_s}, {}, 1), // one at once is a plain run
        });
        QVERIFY_RESULT(encoded);
        QCOMPARE(encoded.value(),
                 fields({"run",
                         "/w/1",
                         "3",
                         "sbatch",
                         "--parsable",
                         "/w/1/job.sh",
                         "read",
                         "/w/1/exit_code",
                         "put",
                         "/w/\xc3\xbc 1",
                         "job.sh",
                         "755",
                         "#!/bin/bash\necho '$(x)'\n",
                         "run",
                         "",
                         "1",
                         "true",
                         "prun",
                         "4",
                         "/w/2",
                         "2",
                         "pjsub",
                         "job.sh",
                         "run",
                         "",
                         "1",
                         "true"}));
    }

    void encodesReadFromWithItsOffset()
    {
        auto encoded = encodeAgentRequest({AgentOperation::readFrom(u"/w/ü 1/stdout"_s, 0),
                                           AgentOperation::readFrom(u"/w/2/stdout"_s, 123456789012345)});
        QVERIFY_RESULT(encoded);
        QCOMPARE(encoded.value(),
                 fields({"readfrom", "/w/\xc3\xbc 1/stdout", "0", "readfrom", "/w/2/stdout", "123456789012345"}));
    }

    void refusesWhatCannotTravel_data()
    {
        QTest::addColumn<AgentOperation>("op");
        QTest::addRow("empty command") << AgentOperation::run({});
        QTest::addRow("NUL in an argument") << AgentOperation::run({u"echo"_s, QString(QChar(0))});
        QTest::addRow("NUL in a path") << AgentOperation::read(u"/a"_s + QChar(0));
        QTest::addRow("NUL in content") << AgentOperation::put(u"/w"_s, u"f"_s, 0644, QByteArray("a\0b", 3));
        QTest::addRow("relative folder") << AgentOperation::put(u"w/1"_s, u"f"_s, 0644, "x");
        QTest::addRow("empty folder") << AgentOperation::put(QString(), u"f"_s, 0644, "x");
        QTest::addRow("slash in the name") << AgentOperation::put(u"/w"_s, u"../f"_s, 0644, "x");
        QTest::addRow("dot-dot name") << AgentOperation::put(u"/w"_s, u".."_s, 0644, "x");
        QTest::addRow("empty name") << AgentOperation::put(u"/w"_s, QString(), 0644, "x");
        QTest::addRow("bad mode") << AgentOperation::put(u"/w"_s, u"f"_s, 010000, "x");
        QTest::addRow("none at once") << AgentOperation::runConcurrently({u"true"_s}, {}, 0);
        QTest::addRow("readFrom: NUL in the path") << AgentOperation::readFrom(u"/w/a"_s + QChar(0) + u"b"_s, 0);
        QTest::addRow("readFrom: relative path") << AgentOperation::readFrom(u"w/stdout"_s, 0);
        QTest::addRow("readFrom: option-like path") << AgentOperation::readFrom(u"--help"_s, 0);
        QTest::addRow("readFrom: empty path") << AgentOperation::readFrom(QString(), 0);
        QTest::addRow("readFrom: negative offset") << AgentOperation::readFrom(u"/w/stdout"_s, -1);
    }
    void refusesWhatCannotTravel()
    {
        QFETCH(AgentOperation, op);
        QVERIFY(!encodeAgentRequest({AgentOperation::run({u"true"_s}), op}));
        QVERIFY(!AgentOperation::canPut(QByteArray("a\0b", 3)));
        QVERIFY(AgentOperation::canPut("any bytes \xff\n$(x)"));
    }

    // ---- decoding --------------------------------------------------------------------------------

    void decodesFramedPayloads()
    {
        // Payloads hold newlines, spaces, a fake END line and raw bytes; one is base64 (it held a NUL).
        const QByteArray out = "12345\nEND 4\nR 9 0 0 0\n";
        const QByteArray reply = "R 0 0 " + QByteArray::number(out.size()) + " 0\n" + out + "R 1 3 b4 5\nAEE=oops!"
            + "F 2 1 3\n0\n\xff" + "F 3 0 0\n" + "P 4\n" + "END 5\n";
        qsizetype stoppedAt = 7;
        auto results = decodeAgentReply(reply, 5, &stoppedAt);
        QVERIFY_RESULT(results);
        QCOMPARE(stoppedAt, -1);
        QCOMPARE(results->size(), 5);
        QCOMPARE(results->at(0).kind, AgentOperation::Kind::Run);
        QCOMPARE(results->at(0).exitStatus, 0);
        QCOMPARE(results->at(0).out, out);
        QCOMPARE(results->at(0).err, QByteArray());
        QCOMPARE(results->at(1).exitStatus, 3);
        QCOMPARE(results->at(1).out, QByteArray("\0A", 2));
        QCOMPARE(results->at(1).err, QByteArray("oops!"));
        QCOMPARE(results->at(2).kind, AgentOperation::Kind::Read);
        QVERIFY(results->at(2).exists);
        QCOMPARE(results->at(2).out, QByteArray("0\n\xff"));
        QVERIFY(!results->at(3).exists);
        QCOMPARE(results->at(4).kind, AgentOperation::Kind::Put);
    }

    void decodesReadFromAnswers()
    {
        const QByteArray full(kMaxAgentReadBytes, 'x');
        const QByteArray reply = "O 0 1 6\nloss 1" + QByteArray("O 1 1 b8\nYQBiCsM=") + "O 2 1 0\n"
            + "O 3 0 28\n/w/stdout is a symbolic link" + "O 4 0 0\n" + "O 5 1 " + QByteArray::number(full.size()) + "\n"
            + full + "END 6\n";
        auto results = decodeAgentReply(reply, 6);
        QVERIFY_RESULT(results);
        for (const AgentResult& r : results.value())
            QCOMPARE(r.kind, AgentOperation::Kind::ReadFrom);
        QVERIFY(results->at(0).exists);
        QCOMPARE(results->at(0).out, QByteArray("loss 1"));
        QCOMPARE(results->at(1).out, QByteArray("a\0b\n\xc3", 5));
        QVERIFY(results->at(2).exists); // nothing new yet
        QCOMPARE(results->at(2).out, QByteArray());
        QVERIFY(!results->at(3).exists);
        QCOMPARE(results->at(3).refusal, u"/w/stdout is a symbolic link"_s);
        QVERIFY(results->at(3).out.isEmpty());
        QVERIFY(!results->at(4).exists);
        QVERIFY(results->at(4).refusal.isEmpty());
        QCOMPARE(results->at(5).out, full);
    }

    void refusesBrokenReplies_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<int>("expected");
        QTest::addRow("empty") << QByteArray() << 1;
        QTest::addRow("no END") << QByteArray("R 0 0 0 0\n") << 1;
        QTest::addRow("payload cut short") << QByteArray("R 0 0 10 0\n12345") << 1;
        QTest::addRow("header cut short") << QByteArray("R 0 0 0 0\nR 1 0") << 2;
        QTest::addRow("END count differs") << QByteArray("R 0 0 0 0\nEND 2\n") << 2;
        QTest::addRow("END too early") << QByteArray("END 1\n") << 1;
        QTest::addRow("out of order") << QByteArray("R 1 0 0 0\nEND 1\n") << 1;
        QTest::addRow("unknown tag") << QByteArray("X 0 0 0 0\nEND 1\n") << 1;
        QTest::addRow("bad length") << QByteArray("R 0 0 +1 0\nxEND 1\n") << 1;
        QTest::addRow("negative length") << QByteArray("R 0 0 -1 0\nEND 1\n") << 1;
        QTest::addRow("bad base64") << QByteArray("R 0 0 b4 0\n$$$$END 1\n") << 1;
        QTest::addRow("bad status") << QByteArray("R 0 x 0 0\nEND 1\n") << 1;
        QTest::addRow("login banner first") << QByteArray("Welcome!\nR 0 0 0 0\nEND 1\n") << 1;
        QTest::addRow("readfrom: bad existence") << QByteArray("O 0 2 0\nEND 1\n") << 1;
        QTest::addRow("readfrom: no existence") << QByteArray("O 0 0\nEND 1\n") << 1;
        QTest::addRow("readfrom: payload cut short") << QByteArray("O 0 1 9\nabc") << 1;
        QTest::addRow("readfrom: more than 64 KiB")
            << QByteArray("O 0 1 65537\n" + QByteArray(65537, 'x') + "END 1\n") << 1;
        QTest::addRow("read: more than 64 KiB")
            << QByteArray("F 0 1 65537\n" + QByteArray(65537, 'x') + "END 1\n") << 1;
    }
    void refusesBrokenReplies()
    {
        QFETCH(QByteArray, reply);
        QFETCH(int, expected);
        qsizetype stoppedAt = 7;
        QVERIFY(!decodeAgentReply(reply, expected, &stoppedAt));
        QCOMPARE(stoppedAt, -1); // none of these is the helper's own stop
    }

    void reportsWhereTheHelperStopped()
    {
        const QByteArray message = "cannot write /w/a b/job.sh: No space left on device\n";
        const QByteArray reply = "P 0\nE 1 " + QByteArray::number(message.size()) + "\n" + message;
        qsizetype stoppedAt = -1;
        auto results = decodeAgentReply(reply, 3, &stoppedAt);
        QVERIFY(!results);
        QCOMPARE(stoppedAt, 1);
        QVERIFY2(results.error().contains(u"No space left on device"_s), qPrintable(results.error()));
    }

    // ---- the helper itself, run by bash here ---------------------------------------------------------

    void hostileNamesAndContentsStayVerbatim()
    {
        const QString base = m_tmp.filePath(u"jobs"_s);
        QList<AgentOperation> ops;
        QStringList folders;
        for (const QString& name : hostileNames()) {
            const QString folder = base + u'/' + name + u"/deeper"_s;
            folders.append(folder);
            ops.append(
                AgentOperation::put(folder, name, 0755, (u"#!/bin/bash\necho '$(touch INJECTED)' "_s + name).toUtf8()));
            ops.append(AgentOperation::put(folder, u"data"_s, 0640, "no newline at the end $(touch INJECTED)"));
        }
        for (qsizetype i = 0; i < folders.size(); ++i) {
            const QString name = hostileNames().at(i);
            // In the folder, a program that prints its arguments and its folder, byte for byte.
            ops.append(AgentOperation::run({u"/bin/sh"_s, u"-c"_s, u"printf '%s|' \"$@\"; pwd; printf 'e' >&2"_s,
                                            u"sh"_s, name, u"$(touch INJECTED)"_s, QString()},
                                           folders.at(i)));
            ops.append(AgentOperation::read(folders.at(i) + u'/' + name));
        }
        const qsizetype firstRun = 2 * folders.size();
        auto encoded = encodeAgentRequest(ops);
        QVERIFY_RESULT(encoded);
        const HelperRun run = runHelper(encoded.value());
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + u"\n"_s + QString::fromUtf8(run.out.left(2000))));
        for (qsizetype i = 0; i < folders.size(); ++i) {
            const QString name = hostileNames().at(i);
            const QByteArray script = (u"#!/bin/bash\necho '$(touch INJECTED)' "_s + name).toUtf8();
            const QString file = folders.at(i) + u'/' + name;
            QCOMPARE(results->at(2 * i).kind, AgentOperation::Kind::Put);
            QCOMPARE(readAll(file), script);
            QCOMPARE(QFileInfo(file).permissions() & 0x7077,
                     QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                         | QFile::ReadOther | QFile::ExeOther);
            QCOMPARE(QFileInfo(folders.at(i) + u"/data"_s).permissions() & 0x7077,
                     QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
            const AgentResult& ran = results->at(firstRun + 2 * i);
            QCOMPARE(ran.exitStatus, 0);
            QCOMPARE(QString::fromUtf8(ran.out), name + u"|$(touch INJECTED)||"_s + folders.at(i) + u'\n');
            QCOMPARE(ran.err, QByteArray("e"));
            const AgentResult& read = results->at(firstRun + 2 * i + 1);
            QVERIFY(read.exists);
            QCOMPARE(read.out, script);
        }
        verifyNothingInjected();
        // One mkdir for all the folders, one chmod per mode, one rename per file (its temporary
        // name over its own), and no encoder: nothing held a NUL.
        QStringList programs = helperPrograms();
        programs.sort();
        QStringList expected{u"chmod"_s, u"chmod"_s, u"mkdir"_s};
        for (qsizetype i = 0; i < 2 * folders.size(); ++i)
            expected << u"mv"_s;
        expected << u"rm"_s;
        QCOMPARE(programs, expected);
    }

    void outputsOfEveryShape()
    {
        const QString dir = m_tmp.filePath(u"shapes"_s);
        QVERIFY(QDir().mkpath(dir));
        QFile big(dir + u"/big"_s);
        QVERIFY(big.open(QIODevice::WriteOnly));
        QByteArray bigData;
        for (int i = 0; bigData.size() < 70000; ++i)
            bigData += QByteArray::number(i) + " ünï\n";
        big.write(bigData);
        big.close();
        QFile binary(dir + u"/binary"_s);
        QVERIFY(binary.open(QIODevice::WriteOnly));
        binary.write(QByteArray("ab\0\n\xff", 5));
        binary.close();
        QFile empty(dir + u"/empty"_s);
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();

        const QList<AgentOperation> ops{
            AgentOperation::run({u"printf"_s, u"a\\0b\\n"_s}), // stdout holds a NUL
            AgentOperation::run({u"sh"_s, u"-c"_s, u"echo out; echo err >&2; exit 7"_s}),
            AgentOperation::run({u"true"_s}), // nothing at all
            AgentOperation::run({m_tmp.filePath(u"no such program"_s)}),
            AgentOperation::run({u"true"_s}, dir + u"/no such folder"_s),
            AgentOperation::read(dir + u"/big"_s),
            AgentOperation::read(dir + u"/binary"_s),
            AgentOperation::read(dir + u"/empty"_s),
            AgentOperation::read(dir + u"/missing"_s),
            AgentOperation::read(dir), // a folder is no file
        };
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + u"\n"_s + QString::fromUtf8(run.err)));
        QCOMPARE(results->at(0).out, QByteArray("a\0b\n", 4));
        QCOMPARE(results->at(1).exitStatus, 7);
        QCOMPARE(results->at(1).out, QByteArray("out\n"));
        QCOMPARE(results->at(1).err, QByteArray("err\n"));
        QCOMPARE(results->at(2).exitStatus, 0);
        QCOMPARE(results->at(2).out, QByteArray());
        QCOMPARE(results->at(3).exitStatus, 127);
        QVERIFY(!results->at(3).err.isEmpty());
        QCOMPARE(results->at(4).exitStatus, 126);
        QVERIFY(results->at(5).exists);
        QCOMPARE(results->at(5).out, bigData.left(65536)); // the first 64 KiB, cut in the middle of a character
        QVERIFY(results->at(6).exists);
        QCOMPARE(results->at(6).out, QByteArray("ab\0\n\xff", 5));
        QVERIFY(results->at(7).exists);
        QCOMPARE(results->at(7).out, QByteArray());
        QVERIFY(!results->at(8).exists);
        QVERIFY(!results->at(9).exists);
        // Only the two outputs that held a NUL paid for processes.
        QStringList programs = helperPrograms();
        programs.sort();
        QCOMPARE(programs, QStringList({u"base64"_s, u"base64"_s, u"head"_s, u"rm"_s}));
    }

    // What a poll reads of a running job's stdout: from any offset, at most 64 KiB, NULs included,
    // at one dd per operation (none for a file that is absent or refused).
    void readFromAnyOffsetOfAGrowingFile()
    {
        const QString dir = m_tmp.filePath(u"readfrom $(touch INJECTED)"_s);
        QVERIFY(QDir().mkpath(dir));
        QByteArray big;
        for (int i = 0; big.size() < 150000; ++i)
            big += "epoch " + QByteArray::number(i) + " loss: 0." + QByteArray::number(i % 97) + " ünï\n";
        QVERIFY(writeFile(dir + u"/big"_s, big));
        const QString growing = dir + u"/-growing stdout"_s;
        QVERIFY(writeFile(growing, "epoch 1\n"));
        QVERIFY(writeFile(dir + u"/binary"_s, QByteArray("ab\0cd\n\xff", 7)));
        const qint64 past = big.size() + 10;
        const QList<AgentOperation> ops{
            AgentOperation::readFrom(dir + u"/big"_s, 0),
            AgentOperation::readFrom(dir + u"/big"_s, 12345), // the middle, inside a character
            AgentOperation::readFrom(dir + u"/big"_s, 2 * kMaxAgentReadBytes),
            AgentOperation::readFrom(dir + u"/big"_s, big.size()), // at the end
            AgentOperation::readFrom(dir + u"/big"_s, past),
            AgentOperation::readFrom(growing, 0),
            AgentOperation::readFrom(dir + u"/binary"_s, 1),
            AgentOperation::readFrom(dir + u"/missing"_s, 0),
            AgentOperation::readFrom(dir, 0), // a folder is no file
        };
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + u"\n"_s + QString::fromUtf8(run.err)));
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        for (int i = 0; i < 7; ++i) {
            QVERIFY2(results->at(i).exists, qPrintable(QString::number(i)));
            QCOMPARE(results->at(i).kind, AgentOperation::Kind::ReadFrom);
        }
        QCOMPARE(results->at(0).out, big.left(kMaxAgentReadBytes));
        QCOMPARE(results->at(1).out, big.mid(12345, kMaxAgentReadBytes));
        QCOMPARE(results->at(2).out, big.mid(2 * kMaxAgentReadBytes));
        QCOMPARE(results->at(3).out, QByteArray());
        QCOMPARE(results->at(4).out, QByteArray());
        QCOMPARE(results->at(5).out, QByteArray("epoch 1\n"));
        QCOMPARE(results->at(6).out, QByteArray("b\0cd\n\xff", 6));
        QVERIFY(!results->at(7).exists);
        QVERIFY(results->at(7).refusal.isEmpty());
        QVERIFY(!results->at(8).exists);
        QVERIFY2(results->at(8).refusal.contains(u"not a plain file"_s), qPrintable(results->at(8).refusal));
        QStringList programs = helperPrograms();
        programs.sort();
        QStringList expected{u"base64"_s}; // the one output holding a NUL
        for (int i = 0; i < 7; ++i)
            expected << u"dd"_s;
        expected << u"rm"_s;
        QCOMPARE(programs, expected);

        // The file grows: the next read starts where the last one ended, and gets only what is new.
        QFile f(growing);
        QVERIFY(f.open(QIODevice::Append));
        QVERIFY(f.write("epoch 2\nepoch 3") == 15);
        f.close();
        const QList<AgentOperation> next{AgentOperation::readFrom(growing, results->at(5).out.size()),
                                         AgentOperation::readFrom(growing, 8 + 15)};
        auto grown = decodeAgentReply(runHelper(encodeAgentRequest(next).value()).out, next.size());
        QVERIFY_RESULT(grown);
        QCOMPARE(grown->at(0).out, QByteArray("epoch 2\nepoch 3"));
        QCOMPARE(grown->at(1).out, QByteArray());
        QVERIFY(grown->at(1).exists);
        verifyNothingInjected();
    }

    void readFromRefusesSymlinksAndSpecialFiles()
    {
        const QString folder = m_tmp.filePath(u"planted readfrom"_s);
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(writeFile(m_tmp.filePath(u"other trial's stdout"_s), "loss: 0.001\n"));
        QVERIFY(QFile::link(m_tmp.filePath(u"other trial's stdout"_s), folder + u"/stdout"_s));
        QCOMPARE(::mkfifo(QFile::encodeName(folder + u"/fifo"_s).constData(), 0600), 0); // would block a reader
        const QList<AgentOperation> ops{AgentOperation::readFrom(folder + u"/stdout"_s, 0),
                                        AgentOperation::readFrom(folder + u"/fifo"_s, 0)};
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + QString::fromUtf8(run.err)));
        const QStringList reasons{u"symbolic link"_s, u"not a plain file"_s};
        for (int i = 0; i < 2; ++i) {
            QVERIFY(!results->at(i).exists);
            QVERIFY(results->at(i).out.isEmpty());
            QVERIFY2(results->at(i).refusal.contains(reasons.at(i)), qPrintable(results->at(i).refusal));
        }
        QCOMPARE(helperPrograms(), QStringList({u"rm"_s})); // refused before any dd
    }

    void childrenGetTheCallersLocale_data()
    {
        QTest::addColumn<bool>("set");
        QTest::addRow("LC_ALL unset") << false;
        QTest::addRow("LC_ALL set") << true;
    }
    void childrenGetTheCallersLocale()
    {
        QFETCH(bool, set);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"LC_ALL"_s);
        if (set)
            env.insert(u"LC_ALL"_s, u"C.UTF-8"_s);
        const HelperRun run = runHelper(
            encodeAgentRequest({AgentOperation::run({u"sh"_s, u"-c"_s, u"printf '%s' \"${LC_ALL-unset}\""_s})}).value(),
            env);
        auto results = decodeAgentReply(run.out, 1);
        QVERIFY_RESULT(results);
        QCOMPARE(results->at(0).out, set ? QByteArray("C.UTF-8") : QByteArray("unset"));
    }

    void stopsAtAPutItCannotWrite()
    {
        const QString blocker = m_tmp.filePath(u"a file"_s);
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const QString marker = m_tmp.filePath(u"ran"_s);
        const QList<AgentOperation> ops{
            AgentOperation::run({u"true"_s}),
            AgentOperation::put(blocker + u"/sub"_s, u"job.sh"_s, 0755, "x"), // its folder cannot be made
            AgentOperation::run({u"touch"_s, marker}),
        };
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        qsizetype stoppedAt = -1;
        auto results = decodeAgentReply(run.out, ops.size(), &stoppedAt);
        QVERIFY(!results);
        QCOMPARE(stoppedAt, 1);
        QVERIFY2(results.error().contains(u"mkdir"_s), qPrintable(results.error()));
        QVERIFY(!QFileInfo::exists(marker));
    }

    void aPutThatFailsLeavesNoTemporaryFile()
    {
        // The second file's name is a folder: its rename fails after both were written.
        const QString folder = m_tmp.filePath(u"half put"_s);
        QVERIFY(QDir().mkpath(folder + u"/in the way"_s));
        const QList<AgentOperation> ops{AgentOperation::put(folder, u"first"_s, 0600, "1"),
                                        AgentOperation::put(folder, u"in the way"_s, 0600, "2")};
        qsizetype stoppedAt = -1;
        QVERIFY(!decodeAgentReply(runHelper(encodeAgentRequest(ops).value()).out, ops.size(), &stoppedAt));
        QCOMPARE(stoppedAt, 1);
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::System), QStringList({u"first"_s}));
    }

    void saysSoWhenTheRequestIsGone()
    {
        // Nothing ran, and the reply says so, rather than looking like a connection cut short.
        QProcess p;
        const QString helper = installedHelper();
        QVERIFY(!helper.isEmpty());
        p.start(u"bash"_s, {u"--norc"_s, helper, m_tmp.filePath(u"requests/never written"_s)});
        QVERIFY(p.waitForFinished(30000));
        qsizetype stoppedAt = -1;
        QVERIFY(!decodeAgentReply(p.readAllStandardOutput(), 1, &stoppedAt));
        QCOMPARE(stoppedAt, 0);
    }

    void concurrentRunsKeepTheirOrderAndTheirLimit()
    {
        // Seven runs, at most three at once, between a plain run and a read. The first three wait
        // (bounded) until all three have started, so one at a time would show as a timeout; each
        // records how many were running when it started, so a fourth at once would show too.
        const QString dir = m_tmp.filePath(u"concurrent $(touch INJECTED)"_s);
        QVERIFY(QDir().mkpath(dir));
        const QString script = uR"sh(d=$1 i=$2
touch "$d/running.$i"
ls "$d" | grep -c '^running\.' > "$d/seen.$i"
if [ "$i" -lt 3 ]; then
    n=0
    until [ "$(ls "$d" | grep -c '^started\.')" -ge 3 ] || [ $n -ge 200 ]; do
        [ -e "$d/started.$i" ] || touch "$d/started.$i"; sleep 0.05; n=$((n + 1))
    done
    [ $n -ge 200 ] && touch "$d/timed-out.$i"
fi
unlink "$d/running.$i"
printf 'out %s\n' "$3"; printf 'err %s' "$i" >&2; exit "$i")sh"_s;
        QList<AgentOperation> ops{AgentOperation::run({u"true"_s})};
        for (int i = 0; i < 7; ++i)
            ops.append(AgentOperation::runConcurrently({u"sh"_s, u"-c"_s, script, u"sh"_s, dir, QString::number(i),
                                                        hostileNames().at(i % hostileNames().size())},
                                                       i == 6 ? dir : QString(), 3));
        ops.append(AgentOperation::read(dir + u"/seen.6"_s));
        // A second group in the same request reuses the first one's FIFO.
        ops.append(AgentOperation::runConcurrently({u"sh"_s, u"-c"_s, u"exit 9"_s}, {}, 3));
        ops.append(AgentOperation::runConcurrently({u"printf"_s, u"last"_s}, {}, 3));
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + u"\n"_s + QString::fromUtf8(run.err)));
        for (int i = 0; i < 7; ++i) {
            const AgentResult& r = results->at(1 + i);
            QCOMPARE(r.exitStatus, i);
            QCOMPARE(QString::fromUtf8(r.out), u"out "_s + hostileNames().at(i % hostileNames().size()) + u'\n');
            QCOMPARE(r.err, QByteArray("err ") + QByteArray::number(i));
            const int seen = readAll(dir + u"/seen."_s + QString::number(i)).trimmed().toInt();
            QVERIFY2(seen >= 1 && seen <= 3, qPrintable(u"run %1 started with %2 running"_s.arg(i).arg(seen)));
            QVERIFY2(!QFileInfo::exists(dir + u"/timed-out."_s + QString::number(i)),
                     "the first three never ran at once");
        }
        QVERIFY(results->at(8).exists); // the read after the group saw the group's last file
        QCOMPARE(results->at(9).exitStatus, 9);
        QCOMPARE(results->at(10).out, QByteArray("last"));
        verifyNothingInjected();
        // No process of the helper's own per operation: one FIFO for the group's lanes, and the
        // scratch files go with the request's.
        QCOMPARE(helperPrograms(), QStringList({u"mkfifo"_s, u"rm"_s}));
        QDir scratch(m_tmp.filePath(u"requests"_s));
        QCOMPARE(scratch.entryList(QDir::Files), QStringList());
    }

    // ---- the --serve mode ------------------------------------------------------------------------

    void servedAnswersArriveInPiecesOfAnySize()
    {
        const QByteArray reply = "R 0 0 5 0\nZ\nC 9\nEND 1\n"; // a payload that looks like framing
        const QByteArray wire =
            "A\nC 10\n" + reply.left(10) + "C " + QByteArray::number(reply.size() - 10) + "\n" + reply.mid(10) + "Z\n";
        for (qsizetype piece : {qsizetype(1), qsizetype(3), wire.size()}) {
            ServedAnswerReader reader;
            QCOMPARE(reader.state(), ServedAnswerReader::State::AwaitingAck);
            for (qsizetype at = 0; at < wire.size(); at += piece) {
                reader.feed(wire.mid(at, piece));
                if (at + piece < 2)
                    QCOMPARE(reader.state(), ServedAnswerReader::State::AwaitingAck);
                else if (at + piece < wire.size())
                    QCOMPARE(reader.state(), ServedAnswerReader::State::Taken);
            }
            QCOMPARE(reader.state(), ServedAnswerReader::State::Complete);
            QCOMPARE(reader.reply(), reply);
            QCOMPARE(reader.bytesAfterEnd(), 0);
        }
        ServedAnswerReader chatty;
        chatty.feed("A\nZ\nA\n");
        QCOMPARE(chatty.state(), ServedAnswerReader::State::Complete);
        QCOMPARE(chatty.bytesAfterEnd(), 2);
    }

    void malformedServedAnswers_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addRow("a login banner first") << QByteArray("Welcome to Flow!\nA\nZ\n");
        QTest::addRow("no chunk header") << QByteArray("A\nR 0 0 0 0\n");
        QTest::addRow("a bad length") << QByteArray("A\nC x\nabc");
        QTest::addRow("a negative length") << QByteArray("A\nC -3\nabc");
        QTest::addRow("a header without end") << QByteArray("A\nC 1234567890123456789012345678");
    }
    void malformedServedAnswers()
    {
        QFETCH(QByteArray, wire);
        ServedAnswerReader reader;
        reader.feed(wire);
        QCOMPARE(reader.state(), ServedAnswerReader::State::Malformed);
    }

    void serveModeAnswersRequestAfterRequestInOneProcess()
    {
        const QString helper = installedHelper();
        QVERIFY(!helper.isEmpty());
        QProcess p;
        p.setWorkingDirectory(m_tmp.path());
        p.start(u"bash"_s, {u"--norc"_s, helper, u"--serve"_s});
        QVERIFY(p.waitForStarted());
        QByteArray pending;
        const auto answer = [&](const QList<AgentOperation>& ops, ServedAnswerReader& reader) {
            static int n = 0;
            const QString requestFile = m_tmp.filePath(u"requests/served %1 $(touch INJECTED).req"_s.arg(++n));
            QFile r(requestFile);
            if (!r.open(QIODevice::WriteOnly) || r.write(encodeAgentRequest(ops).value()) < 0)
                return QString(u"cannot write the request"_s);
            r.close();
            p.write(requestFile.toUtf8() + '\n');
            QElapsedTimer clock;
            clock.start();
            while (reader.state() != ServedAnswerReader::State::Complete
                   && reader.state() != ServedAnswerReader::State::Malformed && clock.elapsed() < 30000) {
                if (p.waitForReadyRead(1000) || p.bytesAvailable() > 0)
                    reader.feed(p.readAllStandardOutput());
                if (p.state() == QProcess::NotRunning) {
                    reader.feed(p.readAllStandardOutput());
                    break;
                }
            }
            return QFileInfo::exists(requestFile) ? u"request file left behind"_s : QString();
        };
        const QList<AgentOperation> whoServes{
            AgentOperation::run({u"sh"_s, u"-c"_s, u"echo $PPID"_s}),
            // a concurrent run's parent is its lane, whose parent is the helper
            AgentOperation::runConcurrently({u"sh"_s, u"-c"_s, u"set -- $(cat /proc/$PPID/stat); echo $4"_s}, {}, 2)};
        ServedAnswerReader first;
        QCOMPARE(answer(whoServes, first), QString());
        QCOMPARE(first.state(), ServedAnswerReader::State::Complete);
        auto firstResults = decodeAgentReply(first.reply(), 2);
        QVERIFY_RESULT(firstResults);
        ServedAnswerReader second;
        QCOMPARE(answer(whoServes, second), QString());
        auto secondResults = decodeAgentReply(second.reply(), 2);
        QVERIFY_RESULT(secondResults);
        // Every operation of both requests ran under the one helper process.
        const QByteArray helperPid = QByteArray::number(p.processId()) + '\n';
        QCOMPARE(firstResults->at(0).out, helperPid);
        QCOMPARE(firstResults->at(1).out, helperPid);
        QCOMPARE(secondResults->at(0).out, helperPid);
        QVERIFY(p.state() == QProcess::Running);

        // A put it cannot write stops that request and the helper: "E", then "Z", then it exits.
        const QString blocker = m_tmp.filePath(u"served blocker"_s);
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const QString marker = m_tmp.filePath(u"served ran"_s);
        ServedAnswerReader stopped;
        QCOMPARE(answer({AgentOperation::put(blocker + u"/sub"_s, u"f"_s, 0644, "x"),
                         AgentOperation::run({u"touch"_s, marker})},
                        stopped),
                 QString());
        QCOMPARE(stopped.state(), ServedAnswerReader::State::Complete);
        qsizetype stoppedAt = -1;
        QVERIFY(!decodeAgentReply(stopped.reply(), 2, &stoppedAt));
        QCOMPARE(stoppedAt, 0);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 91);
        QVERIFY(!QFileInfo::exists(marker));
        verifyNothingInjected();
    }

    void serveModeEndsWithItsInput()
    {
        // On its way it removes what killed helpers left in its requests folder a day ago or more.
        QDir requests(m_tmp.filePath(u"requests"_s));
        QVERIFY(requests.mkpath(u"."_s));
        const auto writeAged = [&](const QString& name, int ageHours) {
            QFile f(requests.filePath(name));
            if (!f.open(QIODevice::WriteOnly))
                return false;
            if (f.write("x") != 1 || !f.flush()) // before the time: a later write would move it
                return false;
            return f.setFileTime(QDateTime::currentDateTime().addSecs(qint64(-3600) * ageHours),
                                 QFileDevice::FileModificationTime);
        };
        QVERIFY(writeAged(u"dead-1.req"_s, 25));
        QVERIFY(writeAged(u"dead-1.req.out.3"_s, 25));
        QVERIFY(writeAged(u"live-2.req"_s, 1));
        QVERIFY(writeAged(u"not ours.txt"_s, 48));
        // The lanes' FIFO of a killed helper: aged with touch(1), which does not open it.
        for (const QString& fifo : {u"dead-3.req.fifo"_s, u"live-4.req.fifo"_s})
            QCOMPARE(::mkfifo(QFile::encodeName(requests.filePath(fifo)).constData(), 0600), 0);
        QProcess touch;
        touch.start(u"touch"_s, {u"-m"_s, u"-d"_s, u"2 days ago"_s, requests.filePath(u"dead-3.req.fifo"_s)});
        QVERIFY(touch.waitForFinished(10000) && touch.exitCode() == 0);
        QProcess p;
        p.start(u"bash"_s, {u"--norc"_s, installedHelper(), u"--serve"_s});
        QVERIFY(p.waitForStarted());
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(p.readAllStandardOutput(), QByteArray()); // nothing taken, nothing said
        QStringList left = requests.entryList(QDir::Files | QDir::System);
        left.sort();
        QCOMPARE(left, QStringList({u"live-2.req"_s, u"live-4.req.fifo"_s, u"not ours.txt"_s}));
        for (const QString& name : left)
            QVERIFY(requests.remove(name));
    }

    // ---- what others may have planted ------------------------------------------------------------

    void putReplacesAPlantedSymlinkInsteadOfFollowingIt()
    {
        const QString folder = m_tmp.filePath(u"planted put"_s);
        QVERIFY(QDir().mkpath(folder));
        const QString victim = m_tmp.filePath(u"victim.txt"_s);
        QVERIFY(writeFile(victim, "precious"));
        QVERIFY(QFile::link(victim, folder + u"/job.sh"_s));
        QVERIFY(QFile::link(m_tmp.filePath(u"nowhere"_s), folder + u"/dangling"_s));
        const QList<AgentOperation> ops{AgentOperation::put(folder, u"job.sh"_s, 0700, "mine"),
                                        AgentOperation::put(folder, u"dangling"_s, 0600, "mine too")};
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + QString::fromUtf8(run.err)));
        QCOMPARE(readAll(victim), QByteArray("precious"));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(u"nowhere"_s)));
        for (const QString& name : {u"job.sh"_s, u"dangling"_s}) {
            const QFileInfo written(folder + u'/' + name);
            QVERIFY2(!written.isSymLink() && written.isFile(), qPrintable(name));
        }
        QCOMPARE(readAll(folder + u"/job.sh"_s), QByteArray("mine"));
        // No temporary name is left behind.
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::System | QDir::Hidden),
                 QStringList({u"dangling"_s, u"job.sh"_s}));
    }

    void putRefusesASymlinkedFolder()
    {
        const QString real = m_tmp.filePath(u"elsewhere real"_s);
        QVERIFY(QDir().mkpath(real));
        const QString link = m_tmp.filePath(u"linked folder"_s);
        QVERIFY(QFile::link(real, link));
        const QList<AgentOperation> ops{AgentOperation::put(link, u"f"_s, 0600, "x")};
        qsizetype stoppedAt = -1;
        const auto results = decodeAgentReply(runHelper(encodeAgentRequest(ops).value()).out, 1, &stoppedAt);
        QVERIFY(!results);
        QCOMPARE(stoppedAt, 0);
        QVERIFY2(results.error().contains(u"symbolic link"_s), qPrintable(results.error()));
        QVERIFY(!QFileInfo::exists(real + u"/f"_s));
    }

    void readRefusesSymlinksForeignAndSpecialFiles()
    {
        const QString folder = m_tmp.filePath(u"planted read"_s);
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(writeFile(folder + u"/own"_s, "42\n"));
        QVERIFY(writeFile(m_tmp.filePath(u"other trial's exit_code"_s), "0\n"));
        QVERIFY(QFile::link(m_tmp.filePath(u"other trial's exit_code"_s), folder + u"/exit_code"_s));
        QVERIFY(writeFile(folder + u"/foreign"_s, "7\n"));
        // Someone else's file: the tests run as root, so "someone else" is nobody.
        QVERIFY(::chown(QFile::encodeName(folder + u"/foreign"_s).constData(), 65534, 65534) == 0);
        QCOMPARE(::mkfifo(QFile::encodeName(folder + u"/fifo"_s).constData(), 0600), 0); // would block a reader
        const QList<AgentOperation> ops{
            AgentOperation::read(folder + u"/own"_s), AgentOperation::read(folder + u"/exit_code"_s),
            AgentOperation::read(folder + u"/foreign"_s), AgentOperation::read(folder + u"/fifo"_s),
            AgentOperation::read(folder + u"/missing"_s)};
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY2(results, qPrintable(results.error() + QString::fromUtf8(run.err)));
        QVERIFY(results->at(0).exists);
        QCOMPARE(results->at(0).out, QByteArray("42\n"));
        QVERIFY(results->at(0).refusal.isEmpty());
        const QStringList reasons{u"symbolic link"_s, u"another user"_s, u"not a plain file"_s};
        for (int i = 1; i <= 3; ++i) {
            QVERIFY2(!results->at(i).exists, qPrintable(QString::number(i)));
            QVERIFY(results->at(i).out.isEmpty());
            QVERIFY2(results->at(i).refusal.contains(reasons.at(i - 1)), qPrintable(results->at(i).refusal));
        }
        QVERIFY(!results->at(4).exists);
        QVERIFY(results->at(4).refusal.isEmpty()); // simply absent
    }

    void numericFieldsAreValidatedBeforeUse_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("reason");
        const QByteArray evil = "a[$(touch INJECTED)]";
        QTest::addRow("run N") << fields({"run", "", evil, "true"}) << u"number of arguments"_s;
        QTest::addRow("run N octal") << fields({"run", "", "08", "true"}) << u"number of arguments"_s;
        QTest::addRow("run N huge") << fields({"run", "", "99999999999", "true"}) << u"number of arguments"_s;
        QTest::addRow("prun LIMIT") << fields({"prun", evil, "", "1", "true"}) << u"at once"_s;
        QTest::addRow("prun LIMIT zero") << fields({"prun", "0", "", "1", "true"}) << u"at once"_s;
        QTest::addRow("prun N") << fields({"prun", "2", "", evil, "true"}) << u"number of arguments"_s;
        QTest::addRow("put MODE") << fields({"put", m_tmp.filePath(u"modes"_s).toUtf8(), "f", evil, "x"}) << u"mode"_s;
        const QByteArray file = m_tmp.filePath(u"modes"_s).toUtf8() + "/f";
        QTest::addRow("readfrom OFFSET") << fields({"readfrom", file, evil}) << u"offset"_s;
        QTest::addRow("readfrom OFFSET octal") << fields({"readfrom", file, "010"}) << u"offset"_s;
        QTest::addRow("readfrom OFFSET negative") << fields({"readfrom", file, "-1"}) << u"offset"_s;
        QTest::addRow("readfrom OFFSET empty") << fields({"readfrom", file, ""}) << u"offset"_s;
        QTest::addRow("readfrom OFFSET huge") << fields({"readfrom", file, "1234567890123456789"}) << u"offset"_s;
        QTest::addRow("readfrom OFFSET dd operand") << fields({"readfrom", file, "1 count=9"}) << u"offset"_s;
        QTest::addRow("put MODE symbolic")
            << fields({"put", m_tmp.filePath(u"modes"_s).toUtf8(), "f", "u+s", "x"}) << u"mode"_s;
    }
    void numericFieldsAreValidatedBeforeUse()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, reason);
        const HelperRun run = runHelper(request);
        qsizetype stoppedAt = -1;
        const auto results = decodeAgentReply(run.out, 1, &stoppedAt);
        QVERIFY(!results);
        QCOMPARE(stoppedAt, 0);
        QVERIFY2(results.error().contains(reason), qPrintable(results.error() + QString::fromUtf8(run.err)));
        verifyNothingInjected();
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(u"modes/f"_s)));
    }

    void everythingTheHelperMakesIsOwnerOnly()
    {
        const QString folder = m_tmp.filePath(u"owner only/deeper"_s);
        const QList<AgentOperation> ops{
            AgentOperation::put(folder, u"f"_s, 0644, "x"),
            AgentOperation::run({u"sh"_s, u"-c"_s, u"umask; : > made-by-a-run; stat -c %a made-by-a-run"_s}, folder)};
        const HelperRun run = runHelper(encodeAgentRequest(ops).value());
        auto results = decodeAgentReply(run.out, ops.size());
        QVERIFY_RESULT(results);
        QCOMPARE(QFileInfo(folder).permissions() & 0x0077, QFileDevice::Permissions());
        QCOMPARE(QFileInfo(m_tmp.filePath(u"owner only"_s)).permissions() & 0x0077, QFileDevice::Permissions());
        QCOMPARE(results->at(1).out, QByteArray("0077\n600\n"));
        // A put's explicit mode is what the caller asked for.
        QCOMPARE(QFileInfo(folder + u"/f"_s).permissions() & 0x0077, QFile::ReadGroup | QFile::ReadOther);
    }

    // ---- the marker that frames a served session ---------------------------------------------------

    void markerScannerDropsWhatTheLoginShellPrinted()
    {
        const QByteArray marker = newServiceMarker();
        QVERIFY(QRegularExpression(u"^swl-[a-z0-9]{24}$"_s).match(QString::fromLatin1(marker)).hasMatch());
        QVERIFY(marker != newServiceMarker());
        // A banner with lines that look like framing, ending without a newline, then the marker.
        const QByteArray wire = "Welcome\nA\nZ\nC 3\nswl-old-marker\nmodule loaded" + marker + "\nA\nZ\n";
        for (qsizetype piece : {qsizetype(1), qsizetype(5), wire.size()}) {
            ServiceMarkerScanner scanner(marker);
            QByteArray after;
            for (qsizetype at = 0; at < wire.size(); at += piece)
                after += scanner.state() == ServiceMarkerScanner::State::Found ? wire.mid(at, piece)
                                                                               : scanner.feed(wire.mid(at, piece));
            QCOMPARE(scanner.state(), ServiceMarkerScanner::State::Found);
            QCOMPARE(after, QByteArray("A\nZ\n"));
        }
        ServiceMarkerScanner flooded(marker);
        flooded.feed(QByteArray(ServiceMarkerScanner::kMaxPreamble + 1, 'x'));
        QCOMPARE(flooded.state(), ServiceMarkerScanner::State::TooLong);
        // The marker without its newline is not the marker yet.
        ServiceMarkerScanner partial(marker);
        QCOMPARE(partial.feed(marker), QByteArray());
        QCOMPARE(partial.state(), ServiceMarkerScanner::State::Searching);
    }

    void serveModePrintsItsMarkerFirstAndRemakesItsFolder()
    {
        QDir requests(m_tmp.filePath(u"requests"_s));
        QVERIFY(requests.removeRecursively());
        const QByteArray marker = newServiceMarker();
        QProcess p;
        p.start(u"bash"_s, {u"--norc"_s, installedHelper(), u"--serve"_s, QString::fromLatin1(marker)});
        QVERIFY(p.waitForStarted());
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(p.readAllStandardOutput(), marker + '\n');
        QVERIFY(requests.exists());
        QCOMPARE(QFileInfo(requests.path()).permissions() & 0x0077, QFileDevice::Permissions());
        // A marker a shell could misread is refused.
        QProcess bad;
        bad.start(u"bash"_s, {u"--norc"_s, installedHelper(), u"--serve"_s, u"a b;touch INJECTED"_s});
        QVERIFY(bad.waitForFinished(10000));
        QCOMPARE(bad.exitCode(), 2);
        verifyNothingInjected();
    }

    void refusesAnUnknownOperation()
    {
        const HelperRun run = runHelper(fields({"read", "/nonexistent", "frobnicate", "x"}));
        qsizetype stoppedAt = -1;
        auto results = decodeAgentReply(run.out, 2, &stoppedAt);
        QVERIFY(!results);
        QCOMPARE(stoppedAt, 1);
    }
};

QTEST_GUILESS_MAIN(TestAgentProtocol)
#include "tst_agentprotocol.moc"
