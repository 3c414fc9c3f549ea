#include "remote/ssh/endpoint.h"

#include "model/commandtemplate.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

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
    const QString ssh = QStandardPaths::findExecutable(u"ssh"_s);
    if (ssh.isEmpty())
        return R::failure(model::ErrorCode::NotFound,
                          u"the OpenSSH client (ssh) is needed to read ssh config files; install openssh-client"_s);
    QStringList args{u"-G"_s};
    if (!configFile.isEmpty())
        args << u"-F"_s << configFile;
    args << extraArguments << u"--"_s << alias;
    QProcess p;
    p.start(ssh, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return R::failure(model::ErrorCode::InvalidInput,
                          u"cannot read the ssh configuration for \"%1\": %2"_s.arg(
                              alias, QString::fromUtf8(p.readAllStandardError()).trimmed()));
    ClientConfig c;
    const QStringList lines = QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const qsizetype space = line.indexOf(u' ');
        if (space < 0)
            continue;
        const QString key = line.left(space);
        const QString value = line.mid(space + 1).trimmed();
        if (key == u"hostname"_s)
            c.hostName = value;
        else if (key == u"port"_s)
            c.port = value.toInt();
        else if (key == u"user"_s)
            c.user = value;
        else if (key == u"identityfile"_s)
            c.identityFiles.append(expandHome(value));
        else if (key == u"userknownhostsfile"_s)
            c.knownHostsFiles = value.split(u' ', Qt::SkipEmptyParts);
        else if (key == u"proxyjump"_s && value != u"none"_s)
            c.proxyJump = value;
        else if (key == u"proxycommand"_s && value != u"none"_s)
            c.proxyCommand = value;
        else if (key == u"identityagent"_s)
            c.identityAgent = value;
    }
    return c;
}

// "ssh -G" with the hop's user and port on its command line, as OpenSSH itself starts a hop.
QStringList hopConfigArguments(const JumpHop& hop)
{
    QStringList args;
    if (!hop.user.isEmpty())
        args << u"-l"_s << hop.user;
    if (hop.port)
        args << u"-p"_s << QString::number(*hop.port);
    return args;
}

bool isHostCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'-'
        || c == u'_';
}

// OpenSSH refuses what could be read as an option or a shell word; so do we, with the reason.
QString checkHost(const QString& host, bool bracketed)
{
    if (host.isEmpty())
        return u"no host name"_s;
    if (host.startsWith(u'-'))
        return u"host \"%1\" starts with '-'"_s.arg(host);
    for (QChar c : host) {
        if (!isHostCharacter(c) && !(bracketed && c == u':'))
            return u"host \"%1\" holds '%2', which no host name or address has"_s.arg(host, c);
    }
    return {};
}

QString checkUser(const QString& user)
{
    if (user.isEmpty())
        return u"an empty user name before '@'"_s;
    if (user.startsWith(u'-'))
        return u"user \"%1\" starts with '-'"_s.arg(user);
    for (QChar c : user) {
        if (c.isSpace() || c.category() == QChar::Other_Control || c == u',')
            return u"user \"%1\" holds a space or a control character"_s.arg(user);
    }
    return {};
}

// One hop; "" when it is fine, else what is wrong.
QString parseHop(QString text, JumpHop& hop)
{
    if (text.isEmpty())
        return u"is empty"_s;
    const bool uri = text.startsWith(u"ssh://"_s);
    if (uri) {
        text = text.mid(6);
        if (text.endsWith(u'/'))
            text.chop(1);
        if (text.contains(u'/'))
            return u"\"ssh://%1\" has a path, which a jump host cannot have"_s.arg(text);
    }
    // The user ends at the last '@', as OpenSSH reads it.
    const qsizetype at = text.lastIndexOf(u'@');
    if (at >= 0) {
        hop.user = text.left(at);
        if (QString bad = checkUser(hop.user); !bad.isEmpty())
            return bad;
        text = text.mid(at + 1);
    }
    QString portText;
    bool hasPort = false;
    bool bracketed = false;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return u"\"%1\" opens '[' without closing it"_s.arg(text);
        hop.host = text.mid(1, close - 1);
        bracketed = true;
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(u':'))
            return u"\"%1\" has \"%2\" after ']'"_s.arg(text, rest);
        hasPort = !rest.isEmpty();
        portText = rest.mid(1);
    } else {
        const qsizetype colon = text.indexOf(u':');
        if (colon >= 0 && text.indexOf(u':', colon + 1) >= 0)
            return u"\"%1\": an IPv6 address needs brackets, as in [%1]:22"_s.arg(text);
        hop.host = colon < 0 ? text : text.left(colon);
        hasPort = colon >= 0;
        portText = colon < 0 ? QString() : text.mid(colon + 1);
    }
    if (QString bad = checkHost(hop.host, bracketed); !bad.isEmpty())
        return bad;
    // "host:" means the default port to OpenSSH too.
    if (hasPort && !portText.isEmpty()) {
        bool numeric = false;
        const int port = portText.toInt(&numeric);
        if (!numeric || port < 1 || port > 65535 || portText.startsWith(u'+'))
            return u"port \"%1\" is not a number from 1 to 65535"_s.arg(portText);
        hop.port = port;
    }
    return {};
}

// IdentityAgent as ssh_config(5) reads it: SSH_AUTH_SOCK and an unset value mean the environment's
// agent, "$NAME" the socket that variable names (none if it is unset), a path that socket.
QString agentSocket(const QString& value)
{
    if (value.isEmpty() || value == u"SSH_AUTH_SOCK"_s)
        return {};
    if (value == u"none"_s)
        return value;
    if (value.startsWith(u'$')) {
        const QString socket = qEnvironmentVariable(value.mid(1).toLocal8Bit().constData());
        return socket.isEmpty() ? u"none"_s : socket;
    }
    return expandHome(value);
}

QString escapePercent(QString text)
{
    return text.replace(u'%', u"%%"_s);
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
        return R::failure(model::ErrorCode::InvalidInput, u"ProxyJump is empty"_s);
    const QStringList parts = trimmed.split(u',');
    QList<JumpHop> hops;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        JumpHop hop;
        if (const QString bad = parseHop(parts.at(i), hop); !bad.isEmpty())
            return R::failure(model::ErrorCode::InvalidInput,
                              u"ProxyJump \"%1\": hop %2 of %3 %4%5"_s.arg(trimmed)
                                  .arg(i + 1)
                                  .arg(parts.size())
                                  .arg(bad.startsWith(u"is "_s) ? QString() : u"has "_s, bad));
        hops.append(hop);
    }
    return hops;
}

QString proxyJumpCommand(const QString& sshProgram, const QString& configFile, const QList<JumpHop>& hops,
                         const QString& targetHost, int targetPort)
{
    if (hops.isEmpty())
        return {};
    QStringList parts{u"exec"_s, model::shellQuote(sshProgram)};
    if (!configFile.isEmpty())
        parts << u"-F"_s << model::shellQuote(configFile);
    parts << u"-o"_s << u"BatchMode=yes"_s;
    QStringList earlier;
    for (qsizetype i = 0; i + 1 < hops.size(); ++i)
        earlier << hops.at(i).toJumpSpec();
    if (!earlier.isEmpty())
        parts << u"-J"_s << model::shellQuote(earlier.join(u','));
    for (const QString& arg : hopConfigArguments(hops.last()))
        parts << model::shellQuote(arg);
    // The target as we resolved it, not libssh's %h: no value of ours is left for it to expand.
    parts << u"-W"_s << model::shellQuote(u"[%1]:%2"_s.arg(targetHost).arg(targetPort)) << u"--"_s
          << model::shellQuote(hops.last().host);
    return escapePercent(parts.join(u' '));
}

QString expandHome(const QString& path)
{
    if (path == u"~"_s)
        return QDir::homePath();
    if (path.startsWith(u"~/"_s))
        return QDir::homePath() + path.mid(1);
    return path;
}

model::Result<Endpoint> resolveEndpoint(const model::ClusterSettings& cluster)
{
    using R = model::Result<Endpoint>;
    const QString configFile = cluster.sshConfig.isEmpty() ? QString() : expandHome(cluster.sshConfig);
    if (!configFile.isEmpty() && !QFileInfo::exists(configFile))
        return R::failure(model::ErrorCode::NotFound, u"cluster.ssh_config: file not found: %1"_s.arg(configFile));
    auto config = readClientConfig(cluster.host, configFile);
    if (!config)
        return config.failureInfo();

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
        : !config->knownHostsFiles.isEmpty()         ? expandHome(config->knownHostsFiles.first())
                                                     : QDir::homePath() + u"/.ssh/known_hosts"_s;
    e.identityAgent = agentSocket(config->identityAgent);
    if (!config->proxyCommand.isEmpty()) {
        e.proxyCommand = config->proxyCommand; // the user's own command, as ssh would run it
    } else if (!config->proxyJump.isEmpty()) {
        auto hops = parseProxyJump(config->proxyJump);
        if (!hops)
            return R::failure(hops.errorCode(), u"cluster.host \"%1\": %2"_s.arg(cluster.host, hops.error()));
        for (JumpHop& hop : hops.value()) {
            auto hopConfig = readClientConfig(hop.host, configFile, hopConfigArguments(hop));
            if (!hopConfig)
                return R::failure(hopConfig.errorCode(),
                                  u"cluster.host \"%1\": ProxyJump hop %2: %3"_s.arg(cluster.host, hop.toJumpSpec(),
                                                                                     hopConfig.error()));
            hop.hostName = hopConfig->hostName.isEmpty() ? hop.host : hopConfig->hostName;
        }
        e.jumpHops = std::move(hops).value();
        e.proxyCommand =
            proxyJumpCommand(QStandardPaths::findExecutable(u"ssh"_s), configFile, e.jumpHops, e.hostName, e.port);
    }
    return e;
}

} // namespace sweepline::remote::ssh
