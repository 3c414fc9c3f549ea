#include "remote/ssh/endpoint.h"

#include "model/commandtemplate.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace sweepline::remote::ssh {

namespace {

struct ClientConfig {
    QString hostName;
    int port = 22;
    QString user;
    QStringList identityFiles;
    QStringList knownHostsFiles;
    QString proxyJump;
    QString proxyCommand;
    QString identityAgent;
};

// "ssh -G" prints the effective client configuration for a host, one "key value" per line.
// extraArguments: a jump hop's -l and -p, which win over the config as they do for ssh.
model::Result<ClientConfig> readClientConfig(const QString& alias, const QString& configFile,
                                             const QStringList& extraArguments = {})
{
    using R = model::Result<ClientConfig>;
    const QString ssh = QStandardPaths::findExecutable(QStringLiteral("ssh"));
    if (ssh.isEmpty())
        return R::failure(QStringLiteral("the OpenSSH client (ssh) is needed to read ssh config files; install openssh-client"));
    QStringList args{QStringLiteral("-G")};
    if (!configFile.isEmpty())
        args << QStringLiteral("-F") << configFile;
    args << extraArguments << QStringLiteral("--") << alias;
    QProcess p;
    p.start(ssh, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return R::failure(QStringLiteral("cannot read the ssh configuration for \"%1\": %2")
                              .arg(alias, QString::fromUtf8(p.readAllStandardError()).trimmed()));
    ClientConfig c;
    const QStringList lines = QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        if (space < 0)
            continue;
        const QString key = line.left(space);
        const QString value = line.mid(space + 1).trimmed();
        if (key == QLatin1String("hostname"))
            c.hostName = value;
        else if (key == QLatin1String("port"))
            c.port = value.toInt();
        else if (key == QLatin1String("user"))
            c.user = value;
        else if (key == QLatin1String("identityfile"))
            c.identityFiles.append(expandHome(value));
        else if (key == QLatin1String("userknownhostsfile"))
            c.knownHostsFiles = value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        else if (key == QLatin1String("proxyjump") && value != QLatin1String("none"))
            c.proxyJump = value;
        else if (key == QLatin1String("proxycommand") && value != QLatin1String("none"))
            c.proxyCommand = value;
        else if (key == QLatin1String("identityagent"))
            c.identityAgent = value;
    }
    return c;
}

// "ssh -G" with the hop's user and port on its command line, as OpenSSH itself starts a hop.
QStringList hopConfigArguments(const JumpHop& hop)
{
    QStringList args;
    if (!hop.user.isEmpty())
        args << QStringLiteral("-l") << hop.user;
    if (hop.port)
        args << QStringLiteral("-p") << QString::number(*hop.port);
    return args;
}

bool isHostCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.'
           || c == u'-' || c == u'_';
}

// OpenSSH refuses what could be read as an option or a shell word; so do we, with the reason.
QString checkHost(const QString& host, bool bracketed)
{
    if (host.isEmpty())
        return QStringLiteral("no host name");
    if (host.startsWith(u'-'))
        return QStringLiteral("host \"%1\" starts with '-'").arg(host);
    for (QChar c : host) {
        if (!isHostCharacter(c) && !(bracketed && c == u':'))
            return QStringLiteral("host \"%1\" holds '%2', which no host name or address has").arg(host, c);
    }
    return {};
}

QString checkUser(const QString& user)
{
    if (user.isEmpty())
        return QStringLiteral("an empty user name before '@'");
    if (user.startsWith(u'-'))
        return QStringLiteral("user \"%1\" starts with '-'").arg(user);
    for (QChar c : user) {
        if (c.isSpace() || c.category() == QChar::Other_Control || c == u',')
            return QStringLiteral("user \"%1\" holds a space or a control character").arg(user);
    }
    return {};
}

// One hop; "" when it is fine, else what is wrong.
QString parseHop(QString text, JumpHop& hop)
{
    if (text.isEmpty())
        return QStringLiteral("is empty");
    const bool uri = text.startsWith(QLatin1String("ssh://"));
    if (uri) {
        text = text.mid(6);
        if (text.endsWith(u'/'))
            text.chop(1);
        if (text.contains(u'/'))
            return QStringLiteral("\"ssh://%1\" has a path, which a jump host cannot have").arg(text);
    }
    // The user ends at the last '@', as OpenSSH reads it.
    const qsizetype at = text.lastIndexOf(u'@');
    if (at >= 0) {
        hop.user = text.left(at);
        if (const QString bad = checkUser(hop.user); !bad.isEmpty())
            return bad;
        text = text.mid(at + 1);
    }
    QString portText;
    bool hasPort = false;
    bool bracketed = false;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return QStringLiteral("\"%1\" opens '[' without closing it").arg(text);
        hop.host = text.mid(1, close - 1);
        bracketed = true;
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(u':'))
            return QStringLiteral("\"%1\" has \"%2\" after ']'").arg(text, rest);
        hasPort = !rest.isEmpty();
        portText = rest.mid(1);
    } else {
        const qsizetype colon = text.indexOf(u':');
        if (colon >= 0 && text.indexOf(u':', colon + 1) >= 0)
            return QStringLiteral("\"%1\": an IPv6 address needs brackets, as in [%1]:22").arg(text);
        hop.host = colon < 0 ? text : text.left(colon);
        hasPort = colon >= 0;
        portText = colon < 0 ? QString() : text.mid(colon + 1);
    }
    if (const QString bad = checkHost(hop.host, bracketed); !bad.isEmpty())
        return bad;
    // "host:" means the default port to OpenSSH too.
    if (hasPort && !portText.isEmpty()) {
        bool numeric = false;
        const int port = portText.toInt(&numeric);
        if (!numeric || port < 1 || port > 65535 || portText.startsWith(u'+'))
            return QStringLiteral("port \"%1\" is not a number from 1 to 65535").arg(portText);
        hop.port = port;
    }
    return {};
}

// IdentityAgent as ssh_config(5) reads it: SSH_AUTH_SOCK and an unset value mean the environment's
// agent, "$NAME" the socket that variable names (none if it is unset), a path that socket.
QString agentSocket(const QString& value)
{
    if (value.isEmpty() || value == QLatin1String("SSH_AUTH_SOCK"))
        return {};
    if (value == QLatin1String("none"))
        return value;
    if (value.startsWith(u'$')) {
        const QString socket = qEnvironmentVariable(value.mid(1).toLocal8Bit().constData());
        return socket.isEmpty() ? QStringLiteral("none") : socket;
    }
    return expandHome(value);
}

QString escapePercent(QString text)
{
    return text.replace(u'%', QLatin1String("%%"));
}

} // namespace

QString JumpHop::toJumpSpec() const
{
    QString spec = host.contains(u':') ? u'[' + host + u']' : host;
    if (!user.isEmpty())
        spec = user + u'@' + spec;
    if (port)
        spec += u':' + QString::number(*port);
    return spec;
}

model::Result<QList<JumpHop>> parseProxyJump(const QString& value)
{
    using R = model::Result<QList<JumpHop>>;
    const QString trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return R::failure(QStringLiteral("ProxyJump is empty"));
    const QStringList parts = trimmed.split(u',');
    QList<JumpHop> hops;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        JumpHop hop;
        if (const QString bad = parseHop(parts.at(i), hop); !bad.isEmpty())
            return R::failure(QStringLiteral("ProxyJump \"%1\": hop %2 of %3 %4%5")
                                  .arg(trimmed)
                                  .arg(i + 1)
                                  .arg(parts.size())
                                  .arg(bad.startsWith(QLatin1String("is ")) ? QString() : QStringLiteral("has "), bad));
        hops.append(hop);
    }
    return hops;
}

QString proxyJumpCommand(const QString& sshProgram, const QString& configFile, const QList<JumpHop>& hops,
                         const QString& targetHost, int targetPort)
{
    if (hops.isEmpty())
        return {};
    QStringList parts{QStringLiteral("exec"), model::shellQuote(sshProgram)};
    if (!configFile.isEmpty())
        parts << QStringLiteral("-F") << model::shellQuote(configFile);
    parts << QStringLiteral("-o") << QStringLiteral("BatchMode=yes");
    QStringList earlier;
    for (qsizetype i = 0; i + 1 < hops.size(); ++i)
        earlier << hops.at(i).toJumpSpec();
    if (!earlier.isEmpty())
        parts << QStringLiteral("-J") << model::shellQuote(earlier.join(u','));
    for (const QString& arg : hopConfigArguments(hops.last()))
        parts << model::shellQuote(arg);
    // The target as we resolved it, not libssh's %h: no value of ours is left for it to expand.
    parts << QStringLiteral("-W") << model::shellQuote(QStringLiteral("[%1]:%2").arg(targetHost).arg(targetPort))
          << QStringLiteral("--") << model::shellQuote(hops.last().host);
    return escapePercent(parts.join(u' '));
}

QString expandHome(const QString& path)
{
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

model::Result<Endpoint> resolveEndpoint(const model::ClusterSettings& cluster)
{
    using R = model::Result<Endpoint>;
    const QString configFile = cluster.sshConfig.isEmpty() ? QString() : expandHome(cluster.sshConfig);
    if (!configFile.isEmpty() && !QFileInfo::exists(configFile))
        return R::failure(QStringLiteral("cluster.ssh_config: file not found: %1").arg(configFile));
    auto config = readClientConfig(cluster.host, configFile);
    if (!config)
        return R::failure(config.error());

    Endpoint e;
    e.alias = cluster.host;
    e.hostName = config->hostName.isEmpty() ? cluster.host : config->hostName;
    e.port = cluster.port.value_or(config->port);
    e.user = cluster.user.isEmpty() ? config->user : cluster.user;
    if (!cluster.identity.isEmpty())
        e.identityFiles.append(expandHome(cluster.identity));
    for (const QString& f : config->identityFiles) {
        if (QFileInfo::exists(f) && !e.identityFiles.contains(f))
            e.identityFiles.append(f);
    }
    e.knownHostsFile = !cluster.knownHosts.isEmpty() ? expandHome(cluster.knownHosts)
                       : !config->knownHostsFiles.isEmpty() ? expandHome(config->knownHostsFiles.first())
                                                            : QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    e.identityAgent = agentSocket(config->identityAgent);
    if (!config->proxyCommand.isEmpty()) {
        e.proxyCommand = config->proxyCommand; // the user's own command, as ssh would run it
    } else if (!config->proxyJump.isEmpty()) {
        auto hops = parseProxyJump(config->proxyJump);
        if (!hops)
            return R::failure(QStringLiteral("cluster.host \"%1\": %2").arg(cluster.host, hops.error()));
        for (JumpHop& hop : hops.value()) {
            auto hopConfig = readClientConfig(hop.host, configFile, hopConfigArguments(hop));
            if (!hopConfig)
                return R::failure(QStringLiteral("cluster.host \"%1\": ProxyJump hop %2: %3")
                                      .arg(cluster.host, hop.toJumpSpec(), hopConfig.error()));
            hop.hostName = hopConfig->hostName.isEmpty() ? hop.host : hopConfig->hostName;
        }
        e.jumpHops = std::move(hops).value();
        e.proxyCommand = proxyJumpCommand(QStandardPaths::findExecutable(QStringLiteral("ssh")), configFile,
                                          e.jumpHops, e.hostName, e.port);
    }
    return e;
}

} // namespace sweepline::remote::ssh
