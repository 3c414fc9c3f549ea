#pragma once

#include "model/result.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace sweepline::model {

// Quotes a value for a POSIX shell (bash, sh): the result is always one word with no expansion.
QString shellQuote(const QString& value);

// A job command with {name} placeholders; "{{" and "}}" stand for literal braces.
class CommandTemplate {
public:
    // Besides the braces, parse follows the shell's quoting: a placeholder must stand where the
    // shell reads a bare word (values are quoted for it), not inside '...', "..." or `...`, nor
    // right after a backslash or '$'; and every quote must be closed.
    static Result<CommandTemplate> parse(const QString& text);

    QStringList placeholders() const; // in order of first appearance, without duplicates

    // Each placeholder becomes its value, shell-quoted. Every placeholder must be in values.
    QString render(const QHash<QString, QString>& values) const;

private:
    struct Piece {
        QString text;
        bool isPlaceholder = false;
    };
    QList<Piece> m_pieces;
};

} // namespace sweepline::model
