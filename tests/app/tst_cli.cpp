// sweepline-cli end to end: the real executable on real campaign files, jobs run on this computer.
#include <QtTest>

#include <csignal>

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
            if (c == QLatin1Char('"') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row.append(field);
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
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

} // namespace

class TestCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

    static Run cli(const QStringList& args, int timeoutMs = 120000)
    {
        QProcess p;
        p.start(QStringLiteral(SWEEPLINE_CLI), args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // The objective (x - 3)^2 + penalty(kind), printed as a learning curve of three values.
    QString writeObjective(const QDir& dir)
    {
        const QString path = dir.filePath(QStringLiteral("objective.sh"));
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
                          const QString& search = QStringLiteral("\"strategy\": \"grid\", \"max_trials\": 100, \"parallel\": 3"),
                          const QString& command = QStringLiteral("bash objective.sh {x} {kind}"))
    {
        QDir dir(m_tmp.path());
        writeObjective(dir);
        const QString path = dir.filePath(name + QStringLiteral(".json"));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(QStringLiteral(R"({
  "name": "%1",
  "parameters": [
    {"name": "x", "type": "int", "range": {"min": 1, "max": 5}, "default": 2},
    {"name": "kind", "type": "choice", "values": [%2]}
  ],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {%3},
  "job": {"command": "%4", "files": ["objective.sh"]%5}
})")
                    .arg(name, kinds, search, command, extraJob)
                    .toUtf8());
        return path;
    }

    QList<QStringList> exportCsv(const QString& campaign)
    {
        const QString csv = QDir(m_tmp.path()).filePath(QFileInfo(campaign).baseName() + QStringLiteral(".csv"));
        const Run r = cli({QStringLiteral("export"), campaign, QStringLiteral("--csv"), csv});
        if (r.exitCode != 0)
            return {};
        QFile f(csv);
        f.open(QIODevice::ReadOnly);
        return parseCsv(QString::fromUtf8(f.readAll()));
    }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void fullRunMatchesItsCsv()
    {
        const QString campaign = writeCampaign(QStringLiteral("full"), QStringLiteral("\"fast\", \"slow\""));
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("best: trial")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("loss=0 x=3 kind=fast")));
        QCOMPARE(r.out.count(QStringLiteral("] trial ")), 10); // one progress line per trial

        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 11);
        QCOMPARE(rows.at(0).join(QLatin1Char(',')),
                 QStringLiteral("trial,state,x,kind,loss,job_id,submitted_at,started_at,finished_at,elapsed_s,stage,batch,error,note"));
        QSet<QString> points;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            const QStringList& row = rows.at(i);
            QCOMPARE(row.size(), 14);
            QCOMPARE(row.at(1), QStringLiteral("done"));
            QCOMPARE(row.at(13), QString()); // the whole stdout was read: nothing to note
            const int x = row.at(2).toInt();
            const int expected = (x - 3) * (x - 3) + (row.at(3) == QLatin1String("slow") ? 10 : 0);
            QCOMPARE(row.at(4).toDouble(), double(expected));
            QVERIFY(row.at(5).toInt() > 0);                                      // job id: the pid
            QVERIFY(QDateTime::fromString(row.at(8), Qt::ISODateWithMs).isValid()); // finished_at
            QVERIFY(row.at(9).toDouble() >= 0);
            points.insert(row.at(2) + row.at(3));
        }
        QCOMPARE(points.size(), 10);
        // The grid starts at the defaults: x=2 and the first kind.
        QCOMPARE(rows.at(1).mid(2, 2), (QStringList{QStringLiteral("2"), QStringLiteral("fast")}));

        const Run status = cli({QStringLiteral("status"), campaign});
        QCOMPARE(status.exitCode, 0);
        QVERIFY(status.out.contains(QStringLiteral("done        10")));
        QVERIFY(status.out.contains(QStringLiteral("best: trial")));

        const QString json = QDir(m_tmp.path()).filePath(QStringLiteral("full-export.json"));
        QCOMPARE(cli({QStringLiteral("export"), campaign, QStringLiteral("--json"), json}).exitCode, 0);
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonArray trials = QJsonDocument::fromJson(jf.readAll()).object().value(QStringLiteral("trials")).toArray();
        QCOMPARE(trials.size(), 10);
        QCOMPARE(trials.at(0).toObject().value(QStringLiteral("intermediate")).toArray().size(), 3);

        // Running a finished campaign again does nothing and still reports the best.
        const Run again = cli({QStringLiteral("run"), campaign});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out.contains(QStringLiteral("best: trial")));
        QCOMPARE(exportCsv(campaign).size(), 11);
    }

    void failuresAreRecordedWithTheirReason()
    {
        const QString campaign = writeCampaign(QStringLiteral("failures"), QStringLiteral("\"crash\", \"silent\", \"hang\""),
                                               QStringLiteral(", \"time_limit\": \"00:00:01\""),
                                               QStringLiteral("\"strategy\": \"grid\", \"max_trials\": 3, \"parallel\": 3"));
        const Run r = cli({QStringLiteral("run"), campaign});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 4);
        QHash<QString, QString> errors;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows.at(i).at(1), QStringLiteral("failed"));
            errors.insert(rows.at(i).at(3), rows.at(i).at(12));
        }
        QCOMPARE(errors.value(QStringLiteral("crash")), QStringLiteral("exited with code 3: RuntimeError: boom"));
        QCOMPARE(errors.value(QStringLiteral("silent")), QStringLiteral("printed no value for metric \"loss\""));
        QVERIFY2(errors.value(QStringLiteral("hang")).contains(QStringLiteral("time limit of 00:00:01")),
                 qPrintable(errors.value(QStringLiteral("hang"))));
        QVERIFY(r.out.contains(QStringLiteral("best: none yet")));
    }

    void invalidInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("no command") << QStringList{} << QStringLiteral("no command given");
        QTest::addRow("unknown command") << QStringList{QStringLiteral("launch"), QStringLiteral("x.json")}
                                         << QStringLiteral("unknown command \"launch\"");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("run"), QStringLiteral("x.json"), QStringLiteral("--fast")}
                                        << QStringLiteral("unknown option --fast");
        QTest::addRow("export without target") << QStringList{QStringLiteral("export"), QStringLiteral("x.json")}
                                               << QStringLiteral("export needs --csv FILE or --json FILE");
        QTest::addRow("missing file") << QStringList{QStringLiteral("validate"), QStringLiteral("/nonexistent/c.json")}
                                      << QStringLiteral("cannot read");
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
        const QString campaign = writeCampaign(QStringLiteral("invalid"), QStringLiteral("\"fast\", \"fast\""), {},
                                               QStringLiteral("\"strategy\": \"grid\", \"parallel\": 0"),
                                               QStringLiteral("bash objective.sh {x} {kind} {nope}"));
        for (const QString& command : {QStringLiteral("validate"), QStringLiteral("run")}) {
            const Run r = cli({command, campaign});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains(QStringLiteral("parameters[1].values[1]")), qPrintable(r.err));
            QVERIFY(r.err.contains(QStringLiteral("search.parallel")));
            QVERIFY(r.err.contains(QStringLiteral("{nope}")));
            for (const QString& line : r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                QVERIFY2(line.startsWith(campaign + QStringLiteral(": ")), qPrintable(line));
        }
        QVERIFY(!QFileInfo::exists(QDir(m_tmp.path()).filePath(QStringLiteral("invalid.sweepline"))));
    }

    void validateDescribesAGoodCampaign()
    {
        const QString campaign = writeCampaign(QStringLiteral("valid"), QStringLiteral("\"fast\", \"slow\""));
        const Run r = cli({QStringLiteral("validate"), campaign});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QStringLiteral("valid; 2 parameters, 10 points")), qPrintable(r.out));
    }

    void changedDefinitionNeedsAnExplicitChoice()
    {
        const QString campaign = writeCampaign(QStringLiteral("changing"), QStringLiteral("\"fast\""), {},
                                               QStringLiteral("\"strategy\": \"grid\", \"max_trials\": 2, \"parallel\": 1"));
        QCOMPARE(cli({QStringLiteral("run"), campaign}).exitCode, 0);
        writeCampaign(QStringLiteral("changing"), QStringLiteral("\"fast\", \"slow\""), {},
                      QStringLiteral("\"strategy\": \"grid\", \"max_trials\": 4, \"parallel\": 1"));
        const Run refused = cli({QStringLiteral("run"), campaign});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("parameters")), qPrintable(refused.err));
        QVERIFY(refused.err.contains(QStringLiteral("--accept-changed-definition")));
        QCOMPARE(exportCsv(campaign).size(), 3); // nothing recorded was lost or added

        const Run accepted = cli({QStringLiteral("run"), campaign, QStringLiteral("--accept-changed-definition")});
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
        const QString campaign = writeCampaign(QStringLiteral("stores"), QStringLiteral("\"fast\""), {},
                                               QStringLiteral("\"strategy\": \"random\", \"max_trials\": 2, \"seed\": 4"));
        const QString other = QDir(m_tmp.path()).filePath(QStringLiteral("elsewhere/state"));
        QCOMPARE(cli({QStringLiteral("run"), campaign, QStringLiteral("--store"), other}).exitCode, 0);
        QVERIFY(QFileInfo::exists(other + QStringLiteral("/trials.db")));
        QVERIFY(!QFileInfo::exists(QDir(m_tmp.path()).filePath(QStringLiteral("stores.sweepline"))));
        const Run status = cli({QStringLiteral("status"), campaign});
        QCOMPARE(status.exitCode, 1);
        QVERIFY2(status.err.contains(QStringLiteral("no state")), qPrintable(status.err));
        QCOMPARE(cli({QStringLiteral("status"), campaign, QStringLiteral("--store"), other}).exitCode, 0);
    }

    // SIGKILL at random moments, then resume: every point is measured exactly once in the end.
    void resumesAfterSigkillWithoutLosingOrRepeatingTrials()
    {
        const QString log = QDir(m_tmp.path()).filePath(QStringLiteral("measurements.log"));
        qputenv("LOG", log.toUtf8());
        const QString campaign = writeCampaign(QStringLiteral("crashy"), QStringLiteral("\"fast\", \"slow\", \"other\""), {},
                                               QStringLiteral("\"strategy\": \"random\", \"max_trials\": 15, \"parallel\": 2, \"seed\": 9"),
                                               QStringLiteral("sleep 0.2; bash objective.sh {x} {kind}"));
        QRandomGenerator rng(20261123);
        int kills = 0;
        for (int attempt = 0; attempt < 12; ++attempt) {
            QProcess p;
            p.start(QStringLiteral(SWEEPLINE_CLI), {QStringLiteral("run"), campaign});
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
        const Run last = cli({QStringLiteral("run"), campaign});
        qunsetenv("LOG");
        QVERIFY2(last.exitCode == 0, qPrintable(last.err));
        QVERIFY(kills >= 3);

        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 16);
        QSet<QString> points;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows.at(i).at(1), QStringLiteral("done"));
            points.insert(rows.at(i).at(2) + rows.at(i).at(3));
        }
        QCOMPARE(points.size(), 15);

        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList measured = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(measured.size(), 15); // no job ran twice, none was lost
        QCOMPARE(QSet<QString>(measured.begin(), measured.end()).size(), 15);
    }

    void sigtermLeavesAConsistentStore()
    {
        const QString campaign = writeCampaign(QStringLiteral("termed"), QStringLiteral("\"fast\", \"slow\""), {},
                                               QStringLiteral("\"strategy\": \"grid\", \"max_trials\": 10, \"parallel\": 2"),
                                               QStringLiteral("sleep 0.3; bash objective.sh {x} {kind}"));
        QProcess p;
        p.start(QStringLiteral(SWEEPLINE_CLI), {QStringLiteral("run"), campaign});
        QVERIFY(p.waitForStarted());
        QTest::qWait(500);
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("again to continue")));
        const Run resumed = cli({QStringLiteral("run"), campaign});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const auto rows = exportCsv(campaign);
        QCOMPARE(rows.size(), 11);
        for (qsizetype i = 1; i < rows.size(); ++i)
            QCOMPARE(rows.at(i).at(1), QStringLiteral("done"));
    }

    void secondRunOnTheSameStoreIsRefused()
    {
        const QString campaign = writeCampaign(QStringLiteral("locked"), QStringLiteral("\"fast\""), {},
                                               QStringLiteral("\"strategy\": \"grid\", \"parallel\": 1"),
                                               QStringLiteral("sleep 1; bash objective.sh {x} {kind}"));
        QProcess first;
        first.start(QStringLiteral(SWEEPLINE_CLI), {QStringLiteral("run"), campaign});
        QVERIFY(first.waitForStarted());
        QTest::qWait(300);
        const Run second = cli({QStringLiteral("run"), campaign});
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains(QStringLiteral("in use by another run")), qPrintable(second.err));
        ::kill(pid_t(first.processId()), SIGTERM);
        first.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
