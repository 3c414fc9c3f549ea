// Claiming trial folders: the fixed bash script the cluster runs (here with this computer's bash,
// exactly as the helper runs it: argv, no shell) and the local backend's own claim.
#include "remote/folderclaim.h"

#include <QtTest>

#include <unistd.h>

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
        const QString mark = ownerMark(QStringLiteral("swabc-1"), 1);
        const QString fresh = base + QStringLiteral("/store/1.1");
        auto first = claim({{fresh, mark}});
        QVERIFY2(first.at(0), qPrintable(first.at(0).error()));
        QCOMPARE(QFileInfo(fresh).permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::ExeOther),
                 QFileDevice::Permissions());
        // The same attempt again (an answer lost on the way): accepted.
        QVERIFY(claim({{fresh, mark}}).at(0));

        const QString unmarked = base + QStringLiteral("/store/2.1");
        QVERIFY(QDir().mkpath(unmarked));
        write(unmarked + QStringLiteral("/stdout"), "loss: -1000\n"); // a result someone left
        const QString otherMark = base + QStringLiteral("/store/3.1");
        QVERIFY(QDir().mkpath(otherMark));
        write(otherMark + u'/' + QLatin1String(kOwnerMarkFile), "swother-3 attempt 1\n");
        const QString symlink = base + QStringLiteral("/store/4.1");
        QVERIFY(QFile::link(fresh, symlink));
        const QString file = base + QStringLiteral("/store/5.1");
        write(file, "x");
        // Another user's folder holding our very mark (copied, say): still not ours. Making it takes
        // root, as the tests run here and in CI.
        const QString foreign = base + QStringLiteral("/store/7.1");
        QVERIFY(QDir().mkpath(foreign));
        write(foreign + u'/' + QLatin1String(kOwnerMarkFile), (mark + u'\n').toUtf8());
        QVERIFY2(::chown(QFile::encodeName(foreign).constData(), 65534, 65534) == 0, "needs root to give a folder away");

        const auto answers = claim({{fresh + QStringLiteral("-x"), mark},
                                    {unmarked, mark},
                                    {otherMark, mark},
                                    {symlink, mark},
                                    {file, mark},
                                    {fresh, ownerMark(QStringLiteral("swabc-1"), 2)},
                                    {foreign, mark}});
        QVERIFY(answers.at(0));
        QVERIFY(!answers.at(1) && answers.at(1).error().contains(unmarked));
        QVERIFY2(answers.at(2).error().contains(QStringLiteral("another store or attempt")), qPrintable(answers.at(2).error()));
        QVERIFY2(answers.at(3).error().contains(QStringLiteral("not a folder")), qPrintable(answers.at(3).error()));
        QVERIFY2(answers.at(4).error().contains(QStringLiteral("not a folder")), qPrintable(answers.at(4).error()));
        QVERIFY2(answers.at(5).error().contains(QStringLiteral("another store or attempt")), qPrintable(answers.at(5).error()));
        QVERIFY2(answers.at(6).error().contains(QStringLiteral("another user")), qPrintable(answers.at(6).error()));
        // Below a file, a folder cannot be made at all: said so, not mistaken for an existing one.
        const auto blocked = claim({{file + QStringLiteral("/x/1.1"), mark}}).at(0);
        QVERIFY2(blocked.error().contains(QStringLiteral("cannot be created")), qPrintable(blocked.error()));
    }

private slots:
    void remoteClaimRules()
    {
        checkRules(path(QStringLiteral("remote")), claimRemotely);
        // On the cluster no unmarked folder is ours, empty or not.
        const QString empty = path(QStringLiteral("remote/store/6.1"));
        QVERIFY(QDir().mkpath(empty));
        const auto refused = claimRemotely({{empty, QStringLiteral("m")}}).at(0);
        QVERIFY2(refused.error().contains(QStringLiteral("without this store's owner mark")), qPrintable(refused.error()));
    }

    void hostileValuesAreOnlyArguments()
    {
        const QString canary = path(QStringLiteral("canary"));
        const QString folder = path(QStringLiteral("odd $(touch %1) `touch %1` ' \" ; x/1.1")).arg(canary);
        const auto answers = claimRemotely({{folder, QStringLiteral("m $(touch %1)").arg(canary)}});
        QVERIFY2(answers.at(0), qPrintable(answers.at(0).error()));
        QVERIFY(QFileInfo(folder).isDir());
        QVERIFY(!QFileInfo::exists(canary));
        QFile mark(folder + u'/' + QLatin1String(kOwnerMarkFile));
        QVERIFY(mark.open(QIODevice::ReadOnly));
        QCOMPARE(mark.readAll(), QStringLiteral("m $(touch %1)\n").arg(canary).toUtf8());
    }

    void aCutShortAnswerIsNoRefusal()
    {
        const QList<FolderClaim> claims{{QStringLiteral("/a/1.1"), QStringLiteral("m")}, {QStringLiteral("/a/2.1"), QStringLiteral("m")}};
        QVERIFY(!parseClaims(claims, QStringLiteral("1 ok\n"), {}, 0));             // no "done"
        QVERIFY(!parseClaims(claims, QStringLiteral("1 ok\ndone\n"), {}, 0));       // one unanswered
        QVERIFY(!parseClaims(claims, QStringLiteral("1 ok\n2 ok\ndone\n"), {}, 1)); // a failed run
        QVERIFY(!parseClaims(claims, QStringLiteral("1 ok\n9 ok\ndone\n"), {}, 0));
        QVERIFY(parseClaims(claims, QStringLiteral("2 ok\n1 ok\ndone\n"), {}, 0));
    }

    void localClaimRules()
    {
        checkRules(path(QStringLiteral("local")), [](const QList<FolderClaim>& claims) {
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
        const QString cancelled = path(QStringLiteral("runs/1"));
        QVERIFY(QDir().mkpath(cancelled));
        write(cancelled + QStringLiteral("/cancel-requested"), {});
        QVERIFY(claimLocalFolder({cancelled, QStringLiteral("swabc-1")}));
        const QString used = path(QStringLiteral("runs/2"));
        QVERIFY(QDir().mkpath(used));
        write(used + QStringLiteral("/exit_code"), "0\n");
        const auto refused = claimLocalFolder({used, QStringLiteral("swabc-2")});
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("did not start")), qPrintable(refused.error()));
    }
};

QTEST_GUILESS_MAIN(TestFolderClaim)
#include "tst_folderclaim.moc"
