#include "model/commandtemplate.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

// Characters that mean nothing to a POSIX shell anywhere in a word, so such words need no quotes.
bool isShellSafe(QChar c)
{
    if (c.unicode() >= 0x80)
        return false;
    const char ch = char(c.unicode());
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    switch (ch) {
    case '_': case '.': case '/': case ':': case '=': case '@': case '%': case '+': case ',': case '-':
        return true;
    default:
        return false;
    }
}

bool isPlaceholderStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isPlaceholderChar(QChar c)
{
    return isPlaceholderStart(c) || (c >= u'0' && c <= u'9');
}

bool isPlaceholderName(QStringView name)
{
    if (name.isEmpty() || !isPlaceholderStart(name.front()))
        return false;
    return std::all_of(name.begin(), name.end(), isPlaceholderChar);
}

// 1-based column of a UTF-16 index, counted in characters as an editor shows them.
int columnOf(const QString& text, qsizetype index)
{
    int column = 1;
    for (qsizetype i = 0; i < index; ++i) {
        if (!text.at(i).isLowSurrogate())
            ++column;
    }
    return column;
}

Result<CommandTemplate> failure(const QString& message)
{
    return Result<CommandTemplate>::failure(message);
}

} // namespace

QString shellQuote(const QString& value)
{
    if (value.isEmpty())
        return u"''"_s;
    if (std::all_of(value.begin(), value.end(), isShellSafe))
        return value;
    // Inside single quotes nothing is special; a quote itself closes, escapes and reopens.
    QString quoted = value;
    quoted.replace(u'\'', u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}

Result<CommandTemplate> CommandTemplate::parse(const QString& text)
{
    CommandTemplate result;
    QString literal;
    const auto flushLiteral = [&] {
        if (!literal.isEmpty())
            result.m_pieces.append({literal, false});
        literal.clear();
    };

    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        const bool doubled = i + 1 < text.size() && text.at(i + 1) == c;
        if (c == u'}') {
            if (!doubled)
                return failure(u"stray '}' at column %1; write }} for a literal brace"_s.arg(columnOf(text, i)));
            literal += c;
            ++i;
            continue;
        }
        if (c != u'{') {
            literal += c;
            continue;
        }
        if (doubled) {
            literal += c;
            ++i;
            continue;
        }
        const qsizetype close = text.indexOf(u'}', i + 1);
        const qsizetype nextOpen = text.indexOf(u'{', i + 1);
        if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            return failure(u"unclosed '{' at column %1"_s.arg(columnOf(text, i)));
        const QString name = text.mid(i + 1, close - i - 1);
        if (name.isEmpty())
            return failure(u"empty placeholder '{}' at column %1"_s.arg(columnOf(text, i)));
        if (!isPlaceholderName(name)) {
            return failure(u"invalid placeholder {%1} at column %2; write {{ and }} for literal braces"_s
                               .arg(name, QString::number(columnOf(text, i))));
        }
        flushLiteral();
        result.m_pieces.append({name, true});
        i = close;
    }
    flushLiteral();
    return result;
}

QStringList CommandTemplate::placeholders() const
{
    QStringList names;
    QSet<QString> seen;
    for (const Piece& piece : m_pieces) {
        if (piece.isPlaceholder && !seen.contains(piece.text)) {
            seen.insert(piece.text);
            names.append(piece.text);
        }
    }
    return names;
}

QString CommandTemplate::render(const QHash<QString, QString>& values) const
{
    QString command;
    for (const Piece& piece : m_pieces)
        command += piece.isPlaceholder ? shellQuote(values.value(piece.text)) : piece.text;
    return command;
}

} // namespace sweepline::model
