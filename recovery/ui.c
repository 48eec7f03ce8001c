#include "recovery/ui.h"

/* The status line's words, shared by every UI. */
const char *recovery_ui_status_name(recovery_ui_status status)
{
    switch (status) {
    case RECOVERY_UI_NONE: return "";
    case RECOVERY_UI_INSTALLING: return "Installing update...";
    case RECOVERY_UI_ERASING: return "Formatting...";
    case RECOVERY_UI_NO_COMMAND: return "No command.";
    case RECOVERY_UI_ERROR: return "Error!";
    case RECOVERY_UI_DONE: return "Done.";
    }
    return "";
}
