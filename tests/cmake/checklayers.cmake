# cmake -DMODULE=<SweeplineLayers.cmake> -P checklayers.cmake
# Configures tiny throwaway projects in a temporary folder (no compiler: LANGUAGES NONE, stand-in
# Qt targets) and expects the layer check to refuse each broken one with its message, and to
# accept the allowed one, so a refusal is the rule's doing and not a broken project.
if(NOT EXISTS "${MODULE}")
    message(FATAL_ERROR "MODULE must name cmake/SweeplineLayers.cmake (got \"${MODULE}\")")
endif()
set(tmp "$ENV{TMPDIR}")
if(NOT tmp)
    set(tmp /tmp)
endif()
string(RANDOM LENGTH 12 suffix)
set(work "${tmp}/sweepline-cmake-layers-${suffix}")

set(failures "")

# body: the project's lines after the stand-in targets; expected: "" to succeed, else a part of the error.
function(expect name body expected)
    set(source "${work}/${name}")
    file(MAKE_DIRECTORY "${source}")
    file(WRITE "${source}/CMakeLists.txt" "cmake_minimum_required(VERSION 3.25)
project(layers_${name} LANGUAGES NONE)
foreach(stand_in Qt6::Core Qt6::Sql Qt6::Widgets Qt6::Gui)
    add_library(\${stand_in} INTERFACE IMPORTED)
endforeach()
include(\"${MODULE}\")
${body}
")
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${source}" -B "${source}/build"
                    RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(expected STREQUAL "")
        if(NOT code EQUAL 0)
            list(APPEND failures "${name}: expected to configure, failed:\n${err}")
        endif()
    elseif(code EQUAL 0)
        list(APPEND failures "${name}: expected the layer check to fail, it configured")
    else()
        string(FIND "${err}" "${expected}" at)
        if(at EQUAL -1)
            list(APPEND failures "${name}: failed without \"${expected}\":\n${err}")
        endif()
    endif()
    set(failures "${failures}" PARENT_SCOPE)
endfunction()

expect(allowed "
add_library(sweepline_tuning INTERFACE)
add_library(sweepline_model INTERFACE)
target_link_libraries(sweepline_model INTERFACE sweepline_tuning Qt6::Core Qt6::Sql)
add_library(sweepline_gui_x INTERFACE)
target_link_libraries(sweepline_gui_x INTERFACE sweepline_model Qt6::Widgets)
file(WRITE \${CMAKE_CURRENT_SOURCE_DIR}/tuning/a.h \"#include <vector>\\n\")
file(WRITE \${CMAKE_CURRENT_SOURCE_DIR}/model/b.h \"#include <QString>\\n\")
sweepline_check_layers()
sweepline_check_layer_sources(\${CMAKE_CURRENT_SOURCE_DIR})
" "")

expect(tuning_links_qt "
add_library(sweepline_tuning INTERFACE)
target_link_libraries(sweepline_tuning INTERFACE Qt6::Core)
sweepline_check_layers()
" "sweepline_tuning links Qt6::Core")

expect(engine_reaches_widgets "
add_library(helper INTERFACE)
target_link_libraries(helper INTERFACE Qt6::Widgets)
add_library(sweepline_model INTERFACE)
target_link_libraries(sweepline_model INTERFACE Qt6::Core)
add_library(sweepline_engine INTERFACE)
target_link_libraries(sweepline_engine INTERFACE sweepline_model \$<LINK_ONLY:helper>)
sweepline_check_layers()
" "sweepline_engine reaches Qt6::Widgets")

expect(model_links_gui_privately "
add_library(sweepline_model STATIC IMPORTED)
set_target_properties(sweepline_model PROPERTIES INTERFACE_LINK_LIBRARIES \"\$<LINK_ONLY:Qt6::Gui>\")
sweepline_check_layers()
" "sweepline_model links Qt6::Gui")

expect(tuning_includes_qt "
file(WRITE \${CMAKE_CURRENT_SOURCE_DIR}/tuning/src/a.cpp \"#include <vector>\\n#include <QString>\\n\")
sweepline_check_layer_sources(\${CMAKE_CURRENT_SOURCE_DIR})
" "tuning/src/a.cpp: \"#include <QString>\" is not allowed in tuning/")

expect(remote_includes_widgets "
file(WRITE \${CMAKE_CURRENT_SOURCE_DIR}/remote/x.h \"#  include <QtWidgets/QLabel>\\n\")
sweepline_check_layer_sources(\${CMAKE_CURRENT_SOURCE_DIR})
" "remote/x.h")

file(REMOVE_RECURSE "${work}")
if(failures)
    list(JOIN failures "\n" text)
    message(FATAL_ERROR "${text}")
endif()
message(STATUS "layer check: every broken project refused, the allowed one accepted")
