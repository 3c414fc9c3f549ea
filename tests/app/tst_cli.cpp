// sweepline-cli end to end: the real executable on real campaign files, jobs run on this computer.
#include <QtTest>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

// A CSV reader for the test's side of the contract (RFC 4180, quoted fields may hold line breaks).
QList<QStringList> parseCsv(const QString& text)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += c;
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row.append(field);
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row.append(field);
            rows.append(row);
            row.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty()) {
        row.append(field);
        rows.append(row);
    }
    return rows;
}

// Appends its trial id to $LOG as it starts, then prints "epoch N loss=V" lines. Kinds starting with
// "g" have a good curve, "b" a bad one, printed more slowly (so that good runs reach each rung
// first); "stubborn" ignores SIGTERM and holds its job script stopped, so a cancel takes the kill
// grace period to land.
const char kCurveScript[] = R"sh(kind=$1
echo "$SWEEPLINE_TRIAL" >> "$LOG"
case "$kind" in
  g*) values="1.0 0.8 0.6 0.5 0.4 0.35 0.3 0.25 0.2 0.15"; pause=0.3 ;;
  b*) values="5.0 4.9 4.8 4.7 4.6 4.5 4.4 4.3 4.2 4.1"; pause=0.8 ;;
  stubborn) trap '' TERM; kill -STOP "$(cat job.pid)"; values="5.0 4.9 4.8 4.7 4.6 4.5 4.4 4.3 4.2 4.1"; pause=0.3 ;;
esac
n=0
for v in $values; do
  n=$((n + 1))
  echo "epoch $n loss=$v"
  sleep "$pause"
done
)sh";

} // namespace

class TestCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

    static Run cli(const QStringList& args, int timeoutMs = 120000, const QString& program = {})
    {
        QProcess p;
        p.start(program.isEmpty() ? QString::fromUtf8(SWEEPLINE_CLI) : program, args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    // The objective (x - 3)^2 + penalty(kind), printed as a learning curve of three values.
    QString writeObjective(const QDir& dir)
    {
        QString path = dir.filePath(u"objective.sh"_s);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write("x=$1; kind=$2\n"
                "case \"$kind\" in fast) p=0 ;; slow) p=10 ;; crash) echo 'RuntimeError: boom' >&2; exit 3 ;; "
                "silent) exit 0 ;; hang) sleep 30 ;; esac\n"
                "v=$(( (x - 3) * (x - 3) + p ))\n"
                "echo \"loss: $(( v + 2 ))\"; echo \"loss: $(( v + 1 ))\"; echo \"loss=$v\"\n"
                "[ -n \"$LOG\" ] && echo \"$x $kind $SWEEPLINE_TRIAL\" >> \"$LOG\"\n"
                "exit 0\n");
        return path;
    }

    QString writeCampaign(const QString& name, const QString& kinds, const QString& extraJob = {},
                          const QString& search = u"\"strategy\": \"grid\", \"max_trials\": 100, \"parallel\": 3"_s,
                          const QString& command = u"bash objective.sh {x} {kind}"_s)
    {
        QDir dir(m_tmp.path());
        writeObjective(dir);
        QString path = dir.filePath(name + u".json"_s);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(uR"({
  "name": "%1",
  "parameters": [
    {"name": "x", "type": "int", "range": {"min": 1, "max": 5}, "default": 2},
    {"name": "kind", "type": "choice", "values": [%2]}
  ],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {%3},
  "job": {"command": "%4", "files": ["objective.sh"]%5}
})"_s.arg(name, kinds, search, command, extraJob)
                    .toUtf8());
        return path;
    }

    static QByteArray readFile(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    // Every file under a folder, by relative path, with its bytes.
    static QMap<QString, QByteArray> snapshot(const QString& folder)
    {
        QMap<QString, QByteArray> files;
        QDirIterator it(folder, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            files.insert(QDir(folder).relativeFilePath(path), it.fileInfo().isDir() ? QByteArray() : readFile(path));
        }
        return files;
    }

    // Folders r-x and files r-- for everyone, or back to writable by their owner.
    static void setTreeReadOnly(const QString& folder, bool readOnly)
    {
        const auto dirMode = QFileDevice::Permissions(readOnly ? 0x5555 : 0x7755);
        const auto fileMode = QFileDevice::Permissions(readOnly ? 0x4444 : 0x6644);
        QDirIterator it(folder, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile::setPermissions(path, it.fileInfo().isDir() ? dirMode : fileMode);
        }
        QFile::setPermissions(folder, dirMode);
    }

    // Runs the CLI as a user that mode bits apply to: as root (CI), setpriv makes it "nobody".
    Run asOrdinaryUser(const QStringList& args)
    {
        if (::geteuid() != 0)
            return cli(args);
        return cli(
            QStringList{u"--reuid=65534"_s, u"--regid=65534"_s, u"--clear-groups"_s, QString::fromUtf8(SWEEPLINE_CLI)}
                + args,
            120000, u"setpriv"_s);
    }

    QList<QStringList> exportCsv(const QString& campaign)
    {
        const QString csv = QDir(m_tmp.path()).filePath(QFileInfo(campaign).baseName() + u".csv"_s);
        const Run r = cli({u"export"_s, campaign, u"--csv"_s, csv});
        if (r.exitCode != 0)
            return {};
        QFile f(csv);
        f.open(QIODevice::ReadOnly);
        return parseCsv(QString::fromUtf8(f.readAll()));
    }

    // A campaign over kinds of learning curve (see kCurveScript), stopped early by asha with rungs
    // at steps 2, 4 and 8.
    QString writeCurveCampaign(const QString& name, const QString& kinds, int maxTrials, int parallel)
    {
        const QDir dir(m_tmp.path());
        QFile script(dir.filePath(u"curve.sh"_s));
        if (!script.open(QIODevice::WriteOnly) || script.write(kCurveScript) < 0)
            return {};
        script.close();
        QString path = dir.filePath(name + u".json"_s);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(uR"({
  "name": "%1",
  "parameters": [{"name": "kind", "type": "choice", "values": [%2]}],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {"strategy": "grid", "max_trials": %3, "parallel": %4,
             "early_stopping": {"rule": "asha", "min_steps": 2, "reduction_factor": 2}},
  "job": {"command": "bash curve.sh {kind}", "files": ["curve.sh"]}
})"_s.arg(name, kinds)
                    .arg(maxTrials)
                    .arg(parallel)
                    .toUtf8());
        return path;
    }

    QString stdoutOf(const QString& name, qint64 trialId) const
    {
        return QDir(m_tmp.path()).filePath(u"%1.sweepline/runs/%2/stdout"_s.arg(name).arg(trialId));
    }

    // Trial id -> state, from the JSON export.
    QMap<qint64, QString> states(const QString& campaign)
    {
        const QString json = QDir(m_tmp.path()).filePath(QFileInfo(campaign).baseName() + u"-states.json"_s);
        if (cli({u"export"_s, campaign, u"--json"_s, json}).exitCode != 0)
            return {};
        const QJsonArray all = QJsonDocument::fromJson(readFile(json)).object().value(u"trials"_s).toArray();
        QMap<qint64, QString> result;
        for (const auto& t : all)
            result.insert(t[u"trial"_s].toInteger(), t[u"state"_s].toString());
        return result;
    }

    // The count status gives for a state ("  pruned      2"); -1 when it gives none.
    static int statusCount(const QString& statusOut, const QString& state)
    {
        const QRegularExpression line(u"^  %1 +(\\d+)$"_s.arg(state), QRegularExpression::MultilineOption);
        const auto match = line.match(statusOut);
        return match.hasMatch() ? match.captured(1).toInt() : -1;
    }

    // Starts a run and SIGKILLs it as soon as its status output satisfies until; returns what the
    // run printed on stdout, or nothing when until was not met within 30 s.
    template<typename Predicate>
    std::optional<QString> runAndKillWhen(const QString& campaign, Predicate until)
    {
        QProcess run;
        run.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        if (!run.waitForStarted())
            return std::nullopt;
        QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired() && !until(cli({u"status"_s, campaign}).out))
            QTest::qWait(50);
        ::kill(pid_t(run.processId()), SIGKILL);
        run.waitForFinished(10000);
        if (deadline.hasExpired())
            return std::nullopt;
        return QString::fromUtf8(run.readAllStandardOutput());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The ordinary user of the read-only checks reads the campaign files here.
        QVERIFY(QFile::setPermissions(m_tmp.path(), QFileDevice::Permissions(0x7755)));
    }

    void fullRunMatchesItsCsv()
    {
        const QString campaign = writeCampaign(u"full"_s, u"\"fast\", \"slow\""_s);
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(u"best: trial"_s), qPrintable(r.out));
        QVERIFY(r.out.contains(u"loss=0 x=3 kind=fast"_s));
        QCOMPARE(r.out.count(u"] trial "_s), 10); // one progress line per trial

        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 11);
        QCOMPARE(rows.at(0).join(u','),
                 u"trial,state,x,kind,loss,job_id,submitted_at,started_at,finished_at,elapsed_s,stage,batch,error,note,"
                 "pruned_step,pruned_value"_s);
        QSet<QString> points;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            const QStringList& row = rows.at(i);
            QCOMPARE(row.size(), 16);
            QCOMPARE(row.at(1), u"done"_s);
            QCOMPARE(row.at(13), QString());                            // the whole stdout was read: nothing to note
            QCOMPARE(row.mid(14), (QStringList{QString(), QString()})); // not pruned
            const int x = row.at(2).toInt();
            const int expected = (x - 3) * (x - 3) + (row.at(3) == u"slow"_s ? 10 : 0);
            QCOMPARE(row.at(4).toDouble(), double(expected));
            QVERIFY(row.at(5).toInt() > 0);                                         // job id: the pid
            QVERIFY(QDateTime::fromString(row.at(8), Qt::ISODateWithMs).isValid()); // finished_at
            QVERIFY(row.at(9).toDouble() >= 0);
            points.insert(row.at(2) + row.at(3));
        }
        QCOMPARE(points.size(), 10);
        // The grid starts at the defaults: x=2 and the first kind.
        QCOMPARE(rows.at(1).mid(2, 2), (QStringList{u"2"_s, u"fast"_s}));

        const Run status = cli({u"status"_s, campaign});
        QCOMPARE(status.exitCode, 0);
        QVERIFY(status.out.contains(u"done        10"_s));
        QVERIFY(status.out.contains(u"best: trial"_s));

        const QString json = QDir(m_tmp.path()).filePath(u"full-export.json"_s);
        QCOMPARE(cli({u"export"_s, campaign, u"--json"_s, json}).exitCode, 0);
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonArray trials = QJsonDocument::fromJson(jf.readAll()).object().value(u"trials"_s).toArray();
        QCOMPARE(trials.size(), 10);
        QCOMPARE(trials.at(0).toObject().value(u"intermediate"_s).toArray().size(), 3);

        // Running a finished campaign again does nothing and still reports the best.
        const Run again = cli({u"run"_s, campaign});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out.contains(u"best: trial"_s));
        QCOMPARE(exportCsv(campaign).size(), 11);
    }

    void failuresAreRecordedWithTheirReason()
    {
        const QString campaign =
            writeCampaign(u"failures"_s, u"\"crash\", \"silent\", \"hang\""_s, u", \"time_limit\": \"00:00:01\""_s,
                          u"\"strategy\": \"grid\", \"max_trials\": 3, \"parallel\": 3"_s);
        const Run r = cli({u"run"_s, campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 4);
        QHash<QString, QString> errors;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows.at(i).at(1), u"failed"_s);
            errors.insert(rows.at(i).at(3), rows.at(i).at(12));
        }
        QCOMPARE(errors.value(u"crash"_s), u"exited with code 3: RuntimeError: boom"_s);
        QCOMPARE(errors.value(u"silent"_s), u"printed no value for metric \"loss\""_s);
        QVERIFY2(errors.value(u"hang"_s).contains(u"time limit of 00:00:01"_s), qPrintable(errors.value(u"hang"_s)));
        QVERIFY(r.out.contains(u"best: none yet"_s));
    }

    void invalidInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("no command") << QStringList{} << u"no command given"_s;
        QTest::addRow("unknown command") << QStringList{u"launch"_s, u"x.json"_s} << u"unknown command \"launch\""_s;
        QTest::addRow("unknown option") << QStringList{u"run"_s, u"x.json"_s, u"--fast"_s}
                                        << u"unknown option --fast"_s;
        QTest::addRow("export without target")
            << QStringList{u"export"_s, u"x.json"_s} << u"export needs --csv FILE or --json FILE"_s;
        QTest::addRow("missing file") << QStringList{u"validate"_s, u"/nonexistent/c.json"_s} << u"cannot read"_s;
    }
    void invalidInputExitsWithTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void invalidCampaignIsRefusedBeforeAnythingRuns()
    {
        const QString campaign =
            writeCampaign(u"invalid"_s, u"\"fast\", \"fast\""_s, {}, u"\"strategy\": \"grid\", \"parallel\": 0"_s,
                          u"bash objective.sh {x} {kind} {nope}"_s);
        for (const QString& command : {u"validate"_s, u"run"_s}) {
            const Run r = cli({command, campaign});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains(u"parameters[1].values[1]"_s), qPrintable(r.err));
            QVERIFY(r.err.contains(u"search.parallel"_s));
            QVERIFY(r.err.contains(u"{nope}"_s));
            for (const QString& line : r.err.split(u'\n', Qt::SkipEmptyParts))
                QVERIFY2(line.startsWith(campaign + u": "_s), qPrintable(line));
        }
        QVERIFY(!QFileInfo::exists(QDir(m_tmp.path()).filePath(u"invalid.sweepline"_s)));
    }

    void validateDescribesAGoodCampaign()
    {
        const QString campaign = writeCampaign(u"valid"_s, u"\"fast\", \"slow\""_s);
        const Run r = cli({u"validate"_s, campaign});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(u"valid; 2 parameters, 10 points"_s), qPrintable(r.out));
    }

    void changedDefinitionNeedsAnExplicitChoice()
    {
        const QString campaign = writeCampaign(u"changing"_s, u"\"fast\""_s, {},
                                               u"\"strategy\": \"grid\", \"max_trials\": 2, \"parallel\": 1"_s);
        QCOMPARE(cli({u"run"_s, campaign}).exitCode, 0);
        writeCampaign(u"changing"_s, u"\"fast\", \"slow\""_s, {},
                      u"\"strategy\": \"grid\", \"max_trials\": 4, \"parallel\": 1"_s);
        const Run refused = cli({u"run"_s, campaign});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(u"parameters"_s), qPrintable(refused.err));
        QVERIFY(refused.err.contains(u"--accept-changed-definition"_s));
        QCOMPARE(exportCsv(campaign).size(), 3); // nothing recorded was lost or added

        const Run accepted = cli({u"run"_s, campaign, u"--accept-changed-definition"_s});
        QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.err));
        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 5);
        QSet<QString> points;
        for (qsizetype i = 1; i < rows.size(); ++i)
            points.insert(rows.at(i).at(2) + rows.at(i).at(3));
        QCOMPARE(points.size(), 4); // the earlier trials were not run again
    }

    void separateStoresDoNotCollide()
    {
        const QString campaign = writeCampaign(u"stores"_s, u"\"fast\""_s, {},
                                               u"\"strategy\": \"random\", \"max_trials\": 2, \"seed\": 4"_s);
        const QString other = QDir(m_tmp.path()).filePath(u"elsewhere/state"_s);
        QCOMPARE(cli({u"run"_s, campaign, u"--store"_s, other}).exitCode, 0);
        QVERIFY(QFileInfo::exists(other + u"/trials.db"_s));
        QVERIFY(!QFileInfo::exists(QDir(m_tmp.path()).filePath(u"stores.sweepline"_s)));
        const Run status = cli({u"status"_s, campaign});
        QCOMPARE(status.exitCode, 1);
        QVERIFY2(status.err.contains(u"no state"_s), qPrintable(status.err));
        QCOMPARE(cli({u"status"_s, campaign, u"--store"_s, other}).exitCode, 0);
    }

    // SIGKILL at random moments, then resume: every point is measured exactly once in the end.
    void resumesAfterSigkillWithoutLosingOrRepeatingTrials()
    {
        const QString log = QDir(m_tmp.path()).filePath(u"measurements.log"_s);
        qputenv("LOG", log.toUtf8());
        const QString campaign =
            writeCampaign(u"crashy"_s, u"\"fast\", \"slow\", \"other\""_s, {},
                          u"\"strategy\": \"random\", \"max_trials\": 15, \"parallel\": 2, \"seed\": 9"_s,
                          u"sleep 0.2; bash objective.sh {x} {kind}"_s);
        QRandomGenerator rng(20261123);
        int kills = 0;
        for (int attempt = 0; attempt < 12; ++attempt) {
            QProcess p;
            p.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
            QVERIFY(p.waitForStarted());
            if (p.waitForFinished(int(rng.bounded(50, 700)))) {
                if (p.exitCode() == 0)
                    break;
                QFAIL(qPrintable(QString::fromUtf8(p.readAllStandardError())));
            }
            ::kill(pid_t(p.processId()), SIGKILL);
            p.waitForFinished();
            ++kills;
        }
        const Run last = cli({u"run"_s, campaign});
        qunsetenv("LOG");
        QVERIFY2(last.exitCode == 0, qPrintable(last.err));
        QVERIFY(kills >= 3);

        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 16);
        QSet<QString> points;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows.at(i).at(1), u"done"_s);
            points.insert(rows.at(i).at(2) + rows.at(i).at(3));
        }
        QCOMPARE(points.size(), 15);

        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList measured = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(measured.size(), 15); // no job ran twice, none was lost
        QCOMPARE(QSet<QString>(measured.begin(), measured.end()).size(), 15);
    }

    void sigtermLeavesAConsistentStore()
    {
        const QString campaign = writeCampaign(u"termed"_s, u"\"fast\", \"slow\""_s, {},
                                               u"\"strategy\": \"grid\", \"max_trials\": 10, \"parallel\": 2"_s,
                                               u"sleep 0.3; bash objective.sh {x} {kind}"_s);
        QProcess p;
        p.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(p.waitForStarted());
        QTest::qWait(500);
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(u"again to continue"_s));
        const Run resumed = cli({u"run"_s, campaign});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 11);
        for (qsizetype i = 1; i < rows.size(); ++i)
            QCOMPARE(rows.at(i).at(1), u"done"_s);
    }

    void secondRunOnTheSameStoreIsRefused()
    {
        const QString campaign =
            writeCampaign(u"locked"_s, u"\"fast\""_s, {}, u"\"strategy\": \"grid\", \"parallel\": 1"_s,
                          u"sleep 1; bash objective.sh {x} {kind}"_s);
        QProcess first;
        first.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(first.waitForStarted());
        // The first run holds the lock once its pid is in the lock file.
        const QString lockFile = QDir(m_tmp.path()).filePath(u"locked.sweepline/run.lock"_s);
        const QByteArray pidLine = QByteArray::number(first.processId()) + '\n';
        QTRY_VERIFY_WITH_TIMEOUT(readFile(lockFile).startsWith(pidLine), 10000);
        const Run second = cli({u"run"_s, campaign});
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains(u"in use by another run"_s), qPrintable(second.err));
        QVERIFY2(second.err.contains(u"pid %1 "_s.arg(first.processId())), qPrintable(second.err));
        ::kill(pid_t(first.processId()), SIGTERM);
        first.waitForFinished();
    }

    void runInAReadOnlyFolderSaysReadOnly()
    {
        const QString campaign =
            writeCampaign(u"rorun"_s, u"\"fast\""_s, {}, u"\"strategy\": \"grid\", \"max_trials\": 1"_s);
        const QString state = QDir(m_tmp.path()).filePath(u"rorun.sweepline"_s);
        QVERIFY(QDir().mkpath(state));
        setTreeReadOnly(state, true);
        const Run r = asOrdinaryUser({u"run"_s, campaign});
        setTreeReadOnly(state, false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(u"read-only"_s), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"pid"_s), qPrintable(r.err));
        QVERIFY(QDir(state).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
    }

    // status and export open the store read-only: on a folder nobody may write they work, and every
    // file there stays as it was (no schema change, no -wal, -shm or lock file).
    void statusAndExportWorkOnAReadOnlyFolder()
    {
        const QString campaign = writeCampaign(u"readonly"_s, u"\"fast\""_s, {},
                                               u"\"strategy\": \"grid\", \"max_trials\": 3, \"parallel\": 1"_s);
        const Run run = cli({u"run"_s, campaign});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString state = QDir(m_tmp.path()).filePath(u"readonly.sweepline"_s);
        const QString out = QDir(m_tmp.path()).filePath(u"readonly-out"_s);
        QVERIFY(QDir().mkpath(out));
        QVERIFY(QFile::setPermissions(out, QFileDevice::Permissions(0x7777)));
        const auto before = snapshot(state);
        QVERIFY(before.contains(u"trials.db"_s));
        setTreeReadOnly(state, true);
        const Run status = asOrdinaryUser({u"status"_s, campaign});
        const Run exported = asOrdinaryUser({u"export"_s, campaign, u"--csv"_s, out + u"/t.csv"_s});
        const auto after = snapshot(state);
        setTreeReadOnly(state, false);
        QVERIFY2(status.exitCode == 0, qPrintable(status.err));
        QVERIFY2(status.out.contains(u"campaign readonly: 3 of up to 3 trials"_s), qPrintable(status.out));
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
        QCOMPARE(parseCsv(QString::fromUtf8(readFile(out + u"/t.csv"_s))).size(), 4);
        QCOMPARE(after.keys(), before.keys());
        QVERIFY(after == before);
    }

    // A cancel while a run watches the campaign stops the jobs without the lock and waits for that
    // run to record them; with no run left, it watches the jobs itself.
    void cancelWithAndWithoutARunningCampaign()
    {
        const QString campaign =
            writeCampaign(u"cancelling"_s, u"\"fast\""_s, {},
                          u"\"strategy\": \"grid\", \"max_trials\": 4, \"parallel\": 2"_s, u"sleep 60"_s);
        QProcess running;
        running.start(QString::fromUtf8(SWEEPLINE_CLI), {u"run"_s, campaign});
        QVERIFY(running.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(cli({u"status"_s, campaign}).out.contains(u"running     2"_s), 20000);
        const Run first = cli({u"cancel"_s, campaign, u"--trial"_s, u"1"_s});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QVERIFY2(first.out.contains(u"cancelled 1 trial(s)"_s), qPrintable(first.out));
        // The run fills the freed slot; SIGTERM leaves its jobs running for the next process.
        QTRY_VERIFY_WITH_TIMEOUT(cli({u"status"_s, campaign}).out.contains(u"running     2"_s), 20000);
        ::kill(pid_t(running.processId()), SIGTERM);
        QVERIFY(running.waitForFinished(20000));
        const Run rest = cli({u"cancel"_s, campaign});
        QVERIFY2(rest.exitCode == 0, qPrintable(rest.err));
        QVERIFY2(rest.out.contains(u"cancelled"_s), qPrintable(rest.out));
        const Run status = cli({u"status"_s, campaign});
        QVERIFY2(status.out.contains(u"running     0"_s), qPrintable(status.out));
        QVERIFY2(status.out.contains(u"cancelled   3"_s), qPrintable(status.out));
    }

    // Killed once a trial is pruned and others run, then run to the end: every trial's job ran once,
    // the store holds exactly max_trials trials, and no pruned trial came back to life.
    void sigkillDuringAPrunedCampaignLosesAndRepeatsNothing()
    {
        const QString log = QDir(m_tmp.path()).filePath(u"killed-launches.log"_s);
        qputenv("LOG", log.toUtf8());
        const QString campaign =
            writeCurveCampaign(u"killed"_s, u"\"g1\", \"g2\", \"b1\", \"g3\", \"b2\", \"b3\", \"g4\", \"b4\""_s, 8, 3);
        const auto firstOut = runAndKillWhen(campaign, [](const QString& status) {
            return statusCount(status, u"pruned"_s) >= 1 && statusCount(status, u"running"_s) >= 1;
        });
        QVERIFY2(firstOut, "no trial was pruned while others ran");
        QVERIFY2(QRegularExpression(u"trial \\d+ pruned at step \\d+ \\(loss [0-9.]+\\)"_s).match(*firstOut).hasMatch(),
                 qPrintable(*firstOut));

        // What was pruned when the CLI died, and what its jobs had printed.
        QMap<qint64, QByteArray> prunedBefore;
        const auto before = states(campaign);
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            if (it.value() == u"pruned"_s)
                prunedBefore.insert(it.key(), readFile(stdoutOf(u"killed"_s, it.key())));
        }
        QVERIFY(!prunedBefore.isEmpty());

        const Run last = cli({u"run"_s, campaign});
        qunsetenv("LOG");
        QVERIFY2(last.exitCode == 0, qPrintable(last.err));
        QVERIFY2(last.out.contains(u"resuming killed"_s), qPrintable(last.out));

        // (A trial the kill caught between its submitting and its launch is submitted again: the
        // launch log, not the attempt count, says whether a job ran twice.)
        const auto after = states(campaign);
        QCOMPARE(after.size(), 8); // max_trials: a pruned trial is a trial
        const auto pruned = int(std::count(after.cbegin(), after.cend(), u"pruned"_s));
        QCOMPARE(std::count(after.cbegin(), after.cend(), u"done"_s) + pruned, 8);
        for (auto it = prunedBefore.cbegin(); it != prunedBefore.cend(); ++it) {
            QCOMPARE(after.value(it.key()), u"pruned"_s);
            // Not run again, not even on: its stdout is as the kill left it.
            QCOMPARE(readFile(stdoutOf(u"killed"_s, it.key())), it.value());
            QVERIFY(!it.value().contains("epoch 10"));
        }
        const QStringList launched = QString::fromUtf8(readFile(log)).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(launched.size(), 8); // each trial's job launched once, none lost
        QCOMPARE(QSet<QString>(launched.begin(), launched.end()).size(), 8);

        const Run report = cli({u"status"_s, campaign});
        QCOMPARE(statusCount(report.out, u"pruned"_s), pruned);
        QVERIFY2(report.out.contains(u"pruned: "_s) && report.out.contains(u"at step 2"_s), qPrintable(report.out));
        QVERIFY(!report.out.contains(u"stopping:"_s));
        // A pruned trial cannot be cancelled: it has ended.
        const Run cancel = cli({u"cancel"_s, campaign, u"--trial"_s, QString::number(prunedBefore.firstKey())});
        QCOMPARE(cancel.exitCode, 2);
        QVERIFY2(cancel.err.contains(u"is already pruned"_s), qPrintable(cancel.err));
    }

    // Killed after the stop was committed and before the job's end: the next run stops the job
    // again and records it pruned where it was stopped, without launching it again.
    void sigkillBetweenTheStopAndTheJobsEndResumesToPruned()
    {
        const QString log = QDir(m_tmp.path()).filePath(u"stopping-launches.log"_s);
        qputenv("LOG", log.toUtf8());
        const QString campaign = writeCurveCampaign(u"stopping"_s, u"\"g1\", \"stubborn\""_s, 2, 1);
        // The stubborn job outlives its cancel by the kill grace period (5 s): the stop is
        // committed, and the job runs on.
        const auto firstOut = runAndKillWhen(
            campaign, [](const QString& status) { return status.contains(u"stopping: trial 2 (step 2)"_s); });
        QVERIFY2(firstOut, "the stop was never committed");
        QCOMPARE(states(campaign).value(2), u"running"_s);

        const Run last = cli({u"run"_s, campaign});
        qunsetenv("LOG");
        QVERIFY2(last.exitCode == 0, qPrintable(last.err));
        QVERIFY2(last.out.contains(u"trial 2 pruned at step 2 (loss 4.9)"_s), qPrintable(last.out));
        QCOMPARE(states(campaign), (QMap<qint64, QString>{{1, u"done"_s}, {2, u"pruned"_s}}));
        QCOMPARE(readFile(log), QByteArray("1\n2\n"));
        // The job is gone (or a zombie nobody has reaped yet): nothing of it runs any more.
        const QByteArray pid = readFile(QFileInfo(stdoutOf(u"stopping"_s, 2)).dir().filePath(u"job.pid"_s)).trimmed();
        QVERIFY(!pid.isEmpty());
        const auto alive = [&pid] {
            const QByteArray stat = readFile(u"/proc/%1/stat"_s.arg(QString::fromLatin1(pid)));
            return !stat.isEmpty() && !stat.contains(") Z ");
        };
        QTRY_VERIFY_WITH_TIMEOUT(!alive(), 15000);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
