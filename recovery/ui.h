/* What recovery shows, behind a small interface so that screens other than
 * the text console (a framebuffer UI, say) can be added without touching the
 * install flow.  An implementation embeds `recovery_ui` as its first member
 * and fills in every operation. */
#ifndef RECOVERY_UI_H
#define RECOVERY_UI_H

typedef enum recovery_ui_status {
    RECOVERY_UI_NONE,        /* nothing going on */
    RECOVERY_UI_INSTALLING,  /* verifying or installing a package */
    RECOVERY_UI_ERASING,     /* formatting /data or /cache */
    RECOVERY_UI_NO_COMMAND,  /* started without anything to do */
    RECOVERY_UI_ERROR,       /* the last action failed */
    RECOVERY_UI_DONE,        /* everything asked for succeeded */
} recovery_ui_status;

typedef struct recovery_ui recovery_ui;

typedef struct recovery_ui_ops {
    /* The header: a title line (e.g. "Android recovery") shown on top. */
    void (*set_title)(recovery_ui *ui, const char *title);
    void (*set_status)(recovery_ui *ui, recovery_ui_status status);
    /* One line of text for the user (ui_print); "" is an empty line. */
    void (*print)(recovery_ui *ui, const char *line);
    void (*clear_text)(recovery_ui *ui);
    /* progress FRAC SECS / set_progress FRAC (see recovery/progress.h). */
    void (*progress_segment)(recovery_ui *ui, double frac, double secs);
    void (*progress_set)(recovery_ui *ui, double frac);
    /* Hides the bar and starts the next one from zero. */
    void (*progress_reset)(recovery_ui *ui);
    /* Called a few times a second while waiting, so a time-driven bar moves. */
    void (*tick)(recovery_ui *ui);
    /* The updater says rebooting now is harmless (enable_reboot). */
    void (*set_enable_reboot)(recovery_ui *ui, int enabled);
    void (*destroy)(recovery_ui *ui);
} recovery_ui_ops;

struct recovery_ui {
    const recovery_ui_ops *ops;
};

const char *recovery_ui_status_name(recovery_ui_status status);

#endif
