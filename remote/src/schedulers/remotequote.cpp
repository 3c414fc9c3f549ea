#include "remote/schedulers/remotequote.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

namespace {

// Characters no shell of the sh or csh family treats specially anywhere in a word. '%' and '@' are
// left out: csh reads them as a job or a builtin at the start of a command.
bool isPlain(QChar c)
{
    if (c.unicode() >= 0x80)
        return false;
    const char ch = char(c.unicode());
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    return ch == '_' || ch == '.' || ch == '/' || ch == ':' || ch == '=' || ch == '+' || ch == ',' || ch == '-';
}

bool isQuotable(const QString& word)
{
    return std::none_of(word.begin(), word.end(), [](QChar c) { return c == u'\n' || c == u'\r' || c == QChar::Null; });
}

QString quoteWord(const QString& word)
{
    if (word.isEmpty())
        return u"''"_s;
    if (std::all_of(word.begin(), word.end(), isPlain))
        return word;
    QString quoted;
    quoted.reserve(word.size() + 8);
    quoted += u'\'';
    for (QChar c : word) {
        if (c == u'\'')
            quoted += u"'\\''"_s;
        else if (c == u'!')
            quoted += u"'\\!'"_s;
        else
            quoted += c;
    }
    quoted += u'\'';
    return quoted;
}

} // namespace

QString quoteForRemoteShell(const QStringList& argv)
{
    if (argv.isEmpty() || !std::all_of(argv.begin(), argv.end(), isQuotable))
        return {};
    QStringList words;
    words.reserve(argv.size());
    for (const QString& arg : argv)
        words.append(quoteWord(arg));
    return words.join(u' ');
}

QString remoteCommandLine(const RemoteCommand& command)
{
    QString line = quoteForRemoteShell(command.argv);
    if (line.isEmpty() || command.workingDirectory.isEmpty())
        return line;
    // csh's cd knows no "--"; a folder starting with '-' would be read as an option.
    if (command.workingDirectory.startsWith(u'-') || !isQuotable(command.workingDirectory))
        return {};
    return u"cd "_s + quoteWord(command.workingDirectory) + u" && "_s + line;
}

} // namespace sweepline::remote
