#pragma once

#include "model/campaign.h"
#include "model/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace sweepline::remote::ssh {

// One hop of a ProxyJump value, as OpenSSH reads it: [user@]host[:port], ssh://[user@]host[:port],
// an IPv6 address in brackets.
struct JumpHop {
    QString user;            // empty: the hop's own ~/.ssh/config (or the local user) decides
    QString host;            // as written: an alias, a name or an address (no brackets)
    std::optional<int> port; // nullopt: the hop's own config decides
    QString hostName;        // what ssh -G resolves host to (filled by resolveEndpoint)

    // The hop in the [user@]host[:port] form ssh -J reads back.
    QString toJumpSpec() const;
};

// Splits a ProxyJump value into its hops, first hop first. Errors name the hop and what is wrong
// with it; the caller prefixes the setting it came from.
model::Result<QList<JumpHop>> parseProxyJump(const QString& value);

// The ProxyCommand that reaches targetHost:targetPort through the hops with the OpenSSH client:
// all hops but the last go into -J, the last is the destination, so each hop takes its own
// ~/.ssh/config settings from configFile (empty: ssh's default). libssh runs it through /bin/sh
// after expanding %-escapes, so every part is shell-quoted and every '%' doubled.
QString proxyJumpCommand(const QString& sshProgram, const QString& configFile, const QList<JumpHop>& hops,
                         const QString& targetHost, int targetPort);

// Where and as whom to log in, with ~/.ssh/config applied.
struct Endpoint {
    QString alias;    // as the user wrote it: what messages name
    QString hostName; // what to connect to
    int port = 22;
    QString user;
    QStringList identityFiles; // tried in order
    QString knownHostsFile;
    // IdentityAgent: empty for $SSH_AUTH_SOCK (OpenSSH's default), "none" for no agent, else the
    // agent's socket.
    QString identityAgent;
    QString proxyCommand;    // for a ProxyJump; empty when connecting directly
    QList<JumpHop> jumpHops; // the ProxyJump hops behind proxyCommand, first hop first
};

// Resolves a cluster section the way OpenSSH would: the alias's settings from the ssh config file
// (read by "ssh -G", so Match, Include and wildcards mean what they mean to ssh), then the keys
// written in the campaign on top.
model::Result<Endpoint> resolveEndpoint(const model::ClusterSettings& cluster);

QString expandHome(const QString& path);

} // namespace sweepline::remote::ssh
