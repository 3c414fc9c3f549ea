// Claiming trial folders: the fixed bash script the cluster runs (here with this computer's bash,
// exactly as the helper runs it: argv, no shell) and the local backend's own claim.
#include "remote/folderclaim.h"
#include "support/verifyresult.h"

#include <QtTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

using namespace sweepline::engine;
using namespace sweepline::remote;

class TestFolderClaim : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

    QString path(const QString& name) const { return QDir(m_tmp.path()).filePath(name); }

    static QList<sweepline::model::Status> claimRemotely(const QList<FolderClaim>& claims)
    {
        const RemoteCommand command = claimCommand(claims);
        QProcess p;
        p.start(command.argv.first(), command.argv.mid(1));
        if (!p.waitForFinished(10000))
            qFatal("the claim script did not finish");
        auto answers = parseClaims(claims, QString::fromUtf8(p.readAllStandardOutput()),
                                   QString::fromUtf8(p.readAllStandardError()), p.exitCode());
        if (!answers)
            qFatal("%s", qPrintable(answers.error()));
        return answers.value();
    }

    static void write(const QString& file, const QByteArray& data)
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }

    using Claim = std::function<QList<sweepline::model::Status>(const QList<FolderClaim>&)>;

    void checkRules(const QString& base, const Claim& claim)
    {
        const QString mark = ownerMark(u"swabc-1"_s, 1);
        const QString fresh = base + u"/store/1.1"_s;
        auto first = claim({{fresh, mark}});
        QVERIFY_RESULT(first.at(0));
        QCOMPARE(QFileInfo(fresh).permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::ExeOther),
                 QFileDevice::Permissions());
        // The same attempt again (an answer lost on the way): accepted.
        QVERIFY(claim({{fresh, mark}}).at(0));

        const QString unmarked = base + u"/store/2.1"_s;
        QVERIFY(QDir().mkpath(unmarked));
        write(unmarked + u"/stdout"_s, "loss: -1000\n"); // a result someone left
        const QString otherMark = base + u"/store/3.1"_s;
        QVERIFY(QDir().mkpath(otherMark));
        write(otherMark + u'/' + QLatin1String(kOwnerMarkFile), "swother-3 attempt 1\n");
        const QString symlink = base + u"/store/4.1"_s;
        QVERIFY(QFile::link(fresh, symlink));
        const QString file = base + u"/store/5.1"_s;
        write(file, "x");
        // Another user's folder holding our very mark (copied, say): still not ours. Making it takes
        // root, as the tests run here and in CI.
        const QString foreign = base + u"/store/7.1"_s;
        QVERIFY(QDir().mkpath(foreign));
        write(foreign + u'/' + QLatin1String(kOwnerMarkFile), (mark + u'\n').toUtf8());
        QVERIFY2(::chown(QFile::encodeName(foreign).constData(), 65534, 65534) == 0,
                 "needs root to give a folder away");

        const auto answers = claim({{fresh + u"-x"_s, mark},
                                    {unmarked, mark},
                                    {otherMark, mark},
                                    {symlink, mark},
                                    {file, mark},
                                    {fresh, ownerMark(u"swabc-1"_s, 2)},
                                    {foreign, mark}});
        QVERIFY(answers.at(0));
        QVERIFY(!answers.at(1) && answers.at(1).error().contains(unmarked));
        QVERIFY2(answers.at(2).error().contains(u"another store or attempt"_s), qPrintable(answers.at(2).error()));
        QVERIFY2(answers.at(3).error().contains(u"not a folder"_s), qPrintable(answers.at(3).error()));
        QVERIFY2(answers.at(4).error().contains(u"not a folder"_s), qPrintable(answers.at(4).error()));
        QVERIFY2(answers.at(5).error().contains(u"another store or attempt"_s), qPrintable(answers.at(5).error()));
        QVERIFY2(answers.at(6).error().contains(u"another user"_s), qPrintable(answers.at(6).error()));
        // Below a file, a folder cannot be made at all: said so, not mistaken for an existing one.
        const auto blocked = claim({{file + u"/x/1.1"_s, mark}}).at(0);
        QVERIFY2(blocked.error().contains(u"cannot be created"_s), qPrintable(blocked.error()));
    }

private slots:
    void remoteClaimRules()
    {
        checkRules(path(u"remote"_s), claimRemotely);
        // On the cluster no unmarked folder is ours, empty or not.
        const QString empty = path(u"remote/store/6.1"_s);
        QVERIFY(QDir().mkpath(empty));
        const auto refused = claimRemotely({{empty, u"m"_s}}).at(0);
        QVERIFY2(refused.error().contains(u"without this store's owner mark"_s), qPrintable(refused.error()));
    }

    void hostileValuesAreOnlyArguments()
    {
        const QString canary = path(u"canary"_s);
        const QString folder = path(u"odd $(touch %1) `touch %1` ' \" ; x/1.1"_s).arg(canary);
        const auto answers = claimRemotely({{folder, u"m $(touch %1)"_s.arg(canary)}});
        QVERIFY_RESULT(answers.at(0));
        QVERIFY(QFileInfo(folder).isDir());
        QVERIFY(!QFileInfo::exists(canary));
        QFile mark(folder + u'/' + QLatin1String(kOwnerMarkFile));
        QVERIFY(mark.open(QIODevice::ReadOnly));
        QCOMPARE(mark.readAll(), u"m $(touch %1)\n"_s.arg(canary).toUtf8());
    }

    void aCutShortAnswerIsNoRefusal()
    {
        const QList<FolderClaim> claims{{u"/a/1.1"_s, u"m"_s}, {u"/a/2.1"_s, u"m"_s}};
        QVERIFY(!parseClaims(claims, u"1 ok\n"_s, {}, 0));             // no "done"
        QVERIFY(!parseClaims(claims, u"1 ok\ndone\n"_s, {}, 0));       // one unanswered
        QVERIFY(!parseClaims(claims, u"1 ok\n2 ok\ndone\n"_s, {}, 1)); // a failed run
        QVERIFY(!parseClaims(claims, u"1 ok\n9 ok\ndone\n"_s, {}, 0));
        QVERIFY(parseClaims(claims, u"2 ok\n1 ok\ndone\n"_s, {}, 0));
    }

    void localClaimRules()
    {
        checkRules(path(u"local"_s), [](const QList<FolderClaim>& claims) {
            QList<sweepline::model::Status> answers;
            for (const FolderClaim& c : claims)
                answers.append(claimLocalFolder(c));
            return answers;
        });
    }

    // A local run folder holding only a cancel marker is the store's own; one holding a job's files
    // without a mark was left by a store made before (or by someone else).
    void localFolderWithoutAMark()
    {
        const QString cancelled = path(u"runs/1"_s);
        QVERIFY(QDir().mkpath(cancelled));
        write(cancelled + u"/cancel-requested"_s, {});
        QVERIFY(claimLocalFolder({cancelled, u"swabc-1"_s}));
        const QString used = path(u"runs/2"_s);
        QVERIFY(QDir().mkpath(used));
        write(used + u"/exit_code"_s, "0\n");
        const auto refused = claimLocalFolder({used, u"swabc-2"_s});
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(u"did not start"_s), qPrintable(refused.error()));
    }
};

QTEST_GUILESS_MAIN(TestFolderClaim)
#include "tst_folderclaim.moc"
