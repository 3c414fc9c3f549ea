#pragma once

#include "model/campaign.h"
#include "model/result.h"

#include <QString>
#include <QStringList>

namespace sweepline::remote::ssh {

// Where and as whom to log in, with ~/.ssh/config applied.
struct Endpoint {
    QString alias;                // as the user wrote it: what messages name
    QString hostName;             // what to connect to
    int port = 22;
    QString user;
    QStringList identityFiles;    // tried in order
    QString knownHostsFile;
    QString proxyCommand;         // for a ProxyJump; empty when connecting directly
};

// Resolves a cluster section the way OpenSSH would: the alias's settings from the ssh config file
// (read by "ssh -G", so Match, Include and wildcards mean what they mean to ssh), then the keys
// written in the campaign on top.
model::Result<Endpoint> resolveEndpoint(const model::ClusterSettings& cluster);

QString expandHome(const QString& path);

} // namespace sweepline::remote::ssh
