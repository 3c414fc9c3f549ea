#pragma once

#include "model/campaign.h"
#include "model/result.h"
#include "remote/ssh/credentialprompter.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

class QThread;

namespace sweepline::gui {

struct CommandCheck {
    QString name; // "sbatch"
    QString path; // where "command -v" found it on the login node; empty when missing
    bool found() const { return !path.isEmpty(); }
};

struct ConnectionReport {
    bool connected = false;
    QString error;                                         // why the test failed, in the SSH layer's words
    model::ErrorCode errorCode = model::ErrorCode::Failed; // what failed, when !connected
    QString endpoint;  // "user@host:port" as resolved from the settings and ~/.ssh/config
    QString loginNode; // the login node's own name (uname -n)
    QString home;      // the account's home folder
    QString scheduler;
    QList<CommandCheck> commands;

    bool schedulerFound() const; // every command the scheduler needs is there
    QStringList missingCommands() const;
};

// "Test connection": resolves the endpoint, logs in over SSH and looks for the scheduler's commands,
// all on a worker thread of its own. Questions (new host key, passphrase, password, one-time codes)
// go to the prompter, on that worker thread. start() returns at once; finished() reports.
class ConnectionTester : public QObject {
    Q_OBJECT
public:
    explicit ConnectionTester(remote::ssh::CredentialPrompter& prompter, QObject* parent = nullptr);
    // Waits for a test still running (at most the SSH layer's own timeouts).
    ~ConnectionTester() override;

    bool isRunning() const { return m_thread != nullptr; }
    // false when a test is running already, or for a local scheduler, which needs no connection.
    bool start(const model::ClusterSettings& settings);

    // The programs Sweepline runs on the login node for a scheduler (its adapter's commands).
    static QStringList schedulerCommands(const QString& scheduler);

signals:
    void progress(const QString& message);
    void finished(const sweepline::gui::ConnectionReport& report);

private:
    remote::ssh::CredentialPrompter& m_prompter;
    QThread* m_thread = nullptr;
};

} // namespace sweepline::gui

Q_DECLARE_METATYPE(sweepline::gui::ConnectionReport)
