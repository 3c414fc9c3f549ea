#pragma once

#include "model/trial.h"
#include "model/trialtablemodel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

using namespace Qt::StringLiterals;

// A real local campaign whose jobs wait at a gate the test opens: a test decides when each trial
// ends, so pause, cancel and detach are checked at known moments rather than raced against timing.
class GatedCampaign {
public:
    // The values of x are 1..trials; every job writes its x to runs.log when it starts, so a point
    // run twice shows twice. (Not job.sh: that is the name of the script Sweepline writes.)
    GatedCampaign(int trials, int parallel, bool openGates)
    {
        QStringList values;
        for (int x = 1; x <= trials; ++x)
            values.append(QString::number(x));
        write(u"gate.json"_s,
              uR"({
  "name": "gate",
  "parameters": [{"name": "x", "type": "int", "values": [%1], "default": 1}],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {"strategy": "grid", "max_trials": %2, "parallel": %3, "seed": 1},
  "job": {"command": "/bin/sh work.sh {x}", "files": ["work.sh"], "time_limit": "00:05:00"},
  "cluster": {"scheduler": "local"}
}
)"_s.arg(values.join(u", "_s))
                  .arg(trials)
                  .arg(parallel)
                  .toUtf8());
        QDir().mkpath(gate());
        // The loop also ends when the folder is gone, so a failed test leaves no job waiting.
        write(u"work.sh"_s,
              uR"(#!/bin/sh
echo "$1" >> '%1/runs.log'
while [ -d '%1' ] && [ ! -e '%1/release-all' ] && [ ! -e "%1/release-$1" ]; do sleep 0.05; done
echo "epoch 1 loss: 9"
echo "loss: $(( ($1 - 3) * ($1 - 3) )).25"
)"_s.arg(gate())
                  .toUtf8());
        if (openGates)
            releaseAll();
    }
    ~GatedCampaign() { releaseAll(); }
    GatedCampaign(const GatedCampaign&) = delete;
    GatedCampaign& operator=(const GatedCampaign&) = delete;

    bool isValid() const { return m_dir.isValid(); }
    QString path() const { return m_dir.filePath(u"gate.json"_s); }
    QString stateDirectory() const { return m_dir.filePath(u"gate.sweepline"_s); }
    QString filePath(const QString& name) const { return m_dir.filePath(name); }
    QString gate() const { return m_dir.filePath(u"gate"_s); }

    void release(int x) const { touch(u"release-%1"_s.arg(x)); }
    void releaseAll() const { touch(u"release-all"_s); }

    // The x of every job started so far, in start order.
    QStringList runs() const
    {
        QFile file(QDir(gate()).filePath(u"runs.log"_s));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    }

    static double expectedLoss(int x) { return (x - 3) * (x - 3) + 0.25; }

    void write(const QString& name, const QByteArray& content) const
    {
        QFile file(m_dir.filePath(name));
        if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            file.write(content);
    }

private:
    void touch(const QString& name) const
    {
        QFile file(QDir(gate()).filePath(name));
        if (file.open(QIODevice::WriteOnly))
            file.close();
    }

    QTemporaryDir m_dir;
};

inline int xOf(const sweepline::model::TrialRecord& t)
{
    return t.values.value(0).toInt();
}

// The state, and why when it is not what a test expects: "failed: <the engine's reason>".
inline QString describe(const sweepline::model::TrialRecord& t)
{
    const QString state = sweepline::model::toString(t.state);
    return t.error.isEmpty() ? state : state + u": "_s + t.error;
}

inline int countIn(const sweepline::model::TrialTableModel& trials, sweepline::model::TrialState state)
{
    int n = 0;
    for (const auto& t : trials.trials())
        n += t.state == state ? 1 : 0;
    return n;
}

inline QList<sweepline::model::TrialRecord> trialsIn(const sweepline::model::TrialTableModel& trials,
                                                     sweepline::model::TrialState state)
{
    QList<sweepline::model::TrialRecord> out;
    for (const auto& t : trials.trials()) {
        if (t.state == state)
            out.append(t);
    }
    return out;
}

// The window's static QMessageBox calls block in their own loop: this answers every box shown
// while it lives and keeps what it said, so a test sees the message instead of hanging on it.
class MessageBoxAnswerer : public QObject {
public:
    MessageBoxAnswerer()
    {
        connect(&m_timer, &QTimer::timeout, this, [this] { answer(); });
        m_timer.start(20);
    }
    const QStringList& seen() const { return m_seen; }

private:
    void answer()
    {
        const auto widgets = QApplication::allWidgets();
        for (QWidget* w : widgets) {
            auto* box = qobject_cast<QMessageBox*>(w);
            if (!box || !box->isVisible())
                continue;
            m_seen.append(box->windowTitle() + u": "_s + box->text());
            if (QAbstractButton* ok = box->button(QMessageBox::Ok))
                ok->click();
            else
                box->reject();
        }
    }

    QTimer m_timer;
    QStringList m_seen;
};

// Recent campaigns and cluster profiles go to QSettings: keep the tests' out of the user's.
inline void isolateSettings(const QString& directory)
{
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, directory);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, directory);
}
