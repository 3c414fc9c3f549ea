#pragma once

#include <QLineEdit>

class QCompleter;
class QStringListModel;

namespace sweepline::gui {

// A line edit for the job command that completes {placeholders}: typing "{" offers the parameter
// names, typing on narrows them, Enter or Tab inserts the name and the closing brace.
class PlaceholderLineEdit : public QLineEdit {
    Q_OBJECT
public:
    explicit PlaceholderLineEdit(QWidget* parent = nullptr);

    void setPlaceholderNames(const QStringList& names);
    QCompleter* completer() const { return m_completer; }

protected:
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;

private:
    // The partial name between an open "{" and the cursor, or a null string when not in one.
    QString openPlaceholder() const;
    void updateCompletion();
    void insertCompletion(const QString& name);

    QCompleter* m_completer;
    QStringListModel* m_names;
};

} // namespace sweepline::gui
