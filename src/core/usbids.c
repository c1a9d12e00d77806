// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The USB identity table (see ispflash/usbids.h and docs/ports.md). Each row's
 * source says where the identity was read: "image:" rows were read from the USB
 * device descriptor inside the real firmware image in tests/data/real (SOURCES.md
 * says where each image comes from); other rows name the firmware source or
 * vendor file; rows marked "recalled" were not re-read for this table and say so.
 */
#include <string.h>

#include "ispflash/usbids.h"

/* The -c ids a serial device may be, by how it is most often used. */
#define FITS_ARDUINOISP "avrisp arduino_as_isp stk500v1"
#define FITS_ARDUINO_BOARD "avrisp arduino_as_isp stk500v1 arduino"
#define FITS_ANY_SERIAL "avrisp arduino_as_isp stk500v1 arduino stk500v2 avrispv2 buspirate"

#define ADVICE_ADAPTER                                                                             \
    "a USB-serial adapter: what is behind it could be anything; -c avrisp if it runs "             \
    "ArduinoISP (19200 baud), -c stk500v2 for an STK500v2 clone, -c buspirate for a Bus "          \
    "Pirate v3 (FTDI inside), -c arduino for a board's own Optiboot bootloader"
#define ADVICE_ARDUINO                                                                             \
    "with the ArduinoISP sketch it is a programmer: -c avrisp (19200 baud); without it, this "     \
    "is a board running a sketch"
#define ADVICE_CATERINA                                                                            \
    "a board in its Caterina bootloader (it stays there about 8 s after a reset): it is the "      \
    "board you want to flash, not an ISP programmer; connect the ISP programmer (e.g. a Pro "      \
    "Micro running QMK's ISP firmware) and use its port"
#define ADVICE_USB_BOOT                                                                            \
    "a board in its bootloader, not a programmer: it is the chip you flash over ISP (wire the "    \
    "programmer to its ISP pins) or with its own USB tool"

#define IMG "image: USB device descriptor in tests/data/real/"
#define BOARDS_TXT "Arduino AVR core boards.txt "

static const struct usbids_entry usbids_table[] = {
    /* Serial ISP programmers */
    {0x16C0, 0x0483, NULL, USBIDS_SERIAL_ISP, true,
     "QMK's ISP firmware on a Pro Micro or Teensy 2.0 (Teensyduino \"USB Serial\"; any "
     "Teensyduino serial sketch looks the same)",
     "avrisp", FITS_ARDUINOISP,
     "every one has serial number 12345, so usb:16C0:0483 cannot tell two apart: use the port "
     "name",
     IMG "qmk_pro_micro_ISP_B6_10.hex and qmk_teensy_2.0_ISP_B0.hex: 16C0:0483 "
         "\"Teensyduino\" \"USB Serial\", serial \"12345\""},
    {0x04D8, 0xFB00, NULL, USBIDS_SERIAL_ISP, true, "Bus Pirate v4", "buspirate", "buspirate",
     "use the 10-pin header (CS -> RESET), not the 5-pin ICSP one",
     "Bus Pirate firmware Firmware/prj_usb_config.h (USB_VID 0x4d8, USB_PID 0xFB00 \"BPv4\") "
     "and Firmware/descriptors.h (\"Dangerous Prototypes\" \"Bus Pirate V4\")"},

    /* Arduino-class boards running a sketch (ArduinoISP makes them programmers) */
    {0x2341, 0x0043, NULL, USBIDS_SERIAL_BOARD, true, "Arduino Uno R3 (ATmega16U2 USB-serial)",
     "avrisp", FITS_ARDUINO_BOARD, ADVICE_ARDUINO,
     IMG "arduino_Arduino-COMBINED-dfu-usbserial-atmega16u2-Uno-Rev3.hex: 2341:0043"},
    {0x2341, 0x0001, NULL, USBIDS_SERIAL_BOARD, true, "Arduino Uno (ATmega8U2 USB-serial)",
     "avrisp", FITS_ARDUINO_BOARD, ADVICE_ARDUINO,
     BOARDS_TXT "uno.pid.1 (recalled, not re-read for this table)"},
    {0x2A03, 0x0043, NULL, USBIDS_SERIAL_BOARD, true, "Arduino.org Uno", "avrisp",
     FITS_ARDUINO_BOARD, ADVICE_ARDUINO,
     BOARDS_TXT "uno.vid.2/uno.pid.2 (recalled, not re-read for this table)"},
    {0x2341, 0x8036, NULL, USBIDS_SERIAL_BOARD, true, "Arduino Leonardo running a sketch", "avrisp",
     FITS_ARDUINOISP, ADVICE_ARDUINO,
     IMG "arduino_Caterina-Leonardo.hex (its sketch part): 2341:8036; " BOARDS_TXT
         "leonardo.pid.1"},
    {0x2A03, 0x8036, NULL, USBIDS_SERIAL_BOARD, true, "Arduino.org Leonardo running a sketch",
     "avrisp", FITS_ARDUINOISP, ADVICE_ARDUINO, BOARDS_TXT "leonardo.vid.3/leonardo.pid.3"},
    {0x2341, 0x8037, NULL, USBIDS_SERIAL_BOARD, true, "Arduino Micro running a sketch", "avrisp",
     FITS_ARDUINOISP, ADVICE_ARDUINO,
     IMG "arduino_Caterina-Micro.hex (its sketch part): 2341:8037"},
    {0x1B4F, 0x9206, NULL, USBIDS_SERIAL_BOARD, true,
     "SparkFun Pro Micro 5V running a sketch (e.g. the ArduinoISP sketch)", "avrisp",
     FITS_ARDUINOISP, ADVICE_ARDUINO,
     "SparkFun Arduino_Boards sparkfun/avr/boards.txt (promicro 16MHz build.pid 0x9206)"},
    {0x1B4F, 0x9204, NULL, USBIDS_SERIAL_BOARD, true,
     "SparkFun Pro Micro 3.3V running a sketch (e.g. the ArduinoISP sketch)", "avrisp",
     FITS_ARDUINOISP, ADVICE_ARDUINO,
     "SparkFun Arduino_Boards sparkfun/avr/boards.txt (promicro 8MHz build.pid 0x9204)"},

    /* Boards in their Caterina bootloader (serial ports: the usual mix-up) */
    {0x2341, 0x0036, NULL, USBIDS_BOOTLOADER, true, "Arduino Leonardo in its Caterina bootloader",
     NULL, NULL, ADVICE_CATERINA, IMG "arduino_Caterina-Leonardo.hex: 2341:0036"},
    {0x2A03, 0x0036, NULL, USBIDS_BOOTLOADER, true,
     "Arduino.org Leonardo in its Caterina bootloader", NULL, NULL, ADVICE_CATERINA,
     BOARDS_TXT "leonardo.vid.2/leonardo.pid.2"},
    {0x2341, 0x0037, NULL, USBIDS_BOOTLOADER, true, "Arduino Micro in its Caterina bootloader",
     NULL, NULL, ADVICE_CATERINA, IMG "arduino_Caterina-Micro.hex: 2341:0037"},
    {0x1B4F, 0x9203, NULL, USBIDS_BOOTLOADER, true,
     "SparkFun Pro Micro 3.3V in its Caterina bootloader", NULL, NULL, ADVICE_CATERINA,
     IMG "sparkfun_Caterina-promicro8.hex: 1B4F:9203 \"Pro Micro 3.3V\""},
    {0x1B4F, 0x9205, NULL, USBIDS_BOOTLOADER, true,
     "SparkFun Pro Micro 5V in its Caterina bootloader", NULL, NULL, ADVICE_CATERINA,
     IMG "sparkfun_Caterina-promicro16.hex: 1B4F:9205 \"Pro Micro 5V\""},
    {0x1B4F, 0x9207, NULL, USBIDS_BOOTLOADER, true,
     "SparkFun LilyPad USB (and some Pro Micro clones) in its Caterina bootloader", NULL, NULL,
     ADVICE_CATERINA, IMG "sparkfun_Caterina-lilypadusb.hex: 1B4F:9207 \"LilyPadUSB\""},
    {0x1FFB, 0x0101, NULL, USBIDS_BOOTLOADER, true, "Pololu A-Star 32U4 in its Caterina bootloader",
     NULL, NULL, ADVICE_CATERINA,
     "QMK ISP flashing guide's bootloader table (shared/reference/qmk-isp.md)"},
    {0x239A, 0x000C, NULL, USBIDS_BOOTLOADER, true,
     "Adafruit Feather 32U4 in its Caterina bootloader", NULL, NULL, ADVICE_CATERINA,
     "QMK ISP flashing guide's bootloader table (shared/reference/qmk-isp.md)"},
    {0x239A, 0x000D, NULL, USBIDS_BOOTLOADER, true,
     "Adafruit ItsyBitsy 32U4 3V3 in its Caterina bootloader", NULL, NULL, ADVICE_CATERINA,
     "QMK ISP flashing guide's bootloader table (shared/reference/qmk-isp.md)"},
    {0x239A, 0x000E, NULL, USBIDS_BOOTLOADER, true,
     "Adafruit ItsyBitsy 32U4 5V in its Caterina bootloader", NULL, NULL, ADVICE_CATERINA,
     "QMK ISP flashing guide's bootloader table (shared/reference/qmk-isp.md)"},

    /* Boards in a USB (not serial) bootloader */
    {0x03EB, 0x2FF4, NULL, USBIDS_BOOTLOADER, false, "ATmega32U4 in its Atmel/QMK DFU bootloader",
     NULL, NULL, ADVICE_USB_BOOT,
     IMG "qmk_bootloader_atmega32u4_1_0_0.hex: 03EB:2FF4 \"ATMEL\" \"ATm32U4DFU\""},
    {0x03EB, 0x2FF3, NULL, USBIDS_BOOTLOADER, false, "ATmega16U4 in its Atmel/QMK DFU bootloader",
     NULL, NULL, ADVICE_USB_BOOT, IMG "qmk_bootloader_atmega16u4_1_0_1.hex: 03EB:2FF3"},
    {0x03EB, 0x2FFB, NULL, USBIDS_BOOTLOADER, false,
     "AT90USB1286/1287 in its Atmel/QMK DFU bootloader", NULL, NULL, ADVICE_USB_BOOT,
     IMG "qmk_bootloader_at90usb128x_1_0_1.hex: 03EB:2FFB"},
    {0x03EB, 0x2FF9, NULL, USBIDS_BOOTLOADER, false,
     "AT90USB646/647 in its Atmel/QMK DFU bootloader", NULL, NULL, ADVICE_USB_BOOT,
     IMG "qmk_bootloader_at90usb64_1.0.0_2680132.hex: 03EB:2FF9"},
    {0x03EB, 0x2FEF, NULL, USBIDS_BOOTLOADER, false,
     "ATmega16U2 in its Atmel DFU bootloader (e.g. an Uno's USB chip)", NULL, NULL, ADVICE_USB_BOOT,
     IMG "arduino_Arduino-COMBINED-dfu-usbserial-atmega16u2-Uno-Rev3.hex: 03EB:2FEF"},
    {0x03EB, 0x2FFA, NULL, USBIDS_BOOTLOADER, false, "AT90USB162 in its Atmel DFU bootloader", NULL,
     NULL, ADVICE_USB_BOOT, "dfu-programmer's device list (recalled, not re-read)"},
    {0x03EB, 0x2FF0, NULL, USBIDS_BOOTLOADER, false, "ATmega32U2 in its Atmel DFU bootloader", NULL,
     NULL, ADVICE_USB_BOOT, "dfu-programmer's device list (recalled, not re-read)"},
    {0x03EB, 0x2067, NULL, USBIDS_BOOTLOADER, false, "a board in the LUFA HID / QMK HID bootloader",
     NULL, NULL, ADVICE_USB_BOOT,
     "teensy_loader_cli.c (opens 03EB:2067 for the LUFA HID bootloader)"},
    {0x16C0, 0x0478, NULL, USBIDS_BOOTLOADER, false, "a Teensy in its HalfKay bootloader", NULL,
     NULL, ADVICE_USB_BOOT, "PaulStoffregen/teensy_loader_cli teensy_loader_cli.c (16C0:0478)"},
    {0x16C0, 0x05DF, NULL, USBIDS_BOOTLOADER, false,
     "a board in its BootloadHID bootloader (PS2AVRGB boards)", NULL, NULL, ADVICE_USB_BOOT,
     IMG "qmk_bootloader_ps2avrgb_bootloadhid_1.0.1.hex: 16C0:05DF \"obdev.at\" \"HIDBoot\""},

    /* USB programmers ispflash drives */
    {0x1781, 0x0C9F, NULL, USBIDS_USB_ISP, false, "USBtinyISP / SparkFun Pocket AVR", "usbtiny",
     "usbtiny", NULL, "src/programmers/usbtiny.c id table (avrdude.conf's usbtiny)"},
    {0x2341, 0x0049, NULL, USBIDS_USB_ISP, false, "Arduino ISP (USBtiny protocol)", "arduinoisp",
     "arduinoisp usbtiny", NULL, "src/programmers/usbtiny.c id table (avrdude.conf)"},
    {0x2A03, 0x0049, NULL, USBIDS_USB_ISP, false, "Arduino.org ISP (USBtiny protocol)",
     "arduinoisporg", "arduinoisporg usbtiny", NULL,
     "src/programmers/usbtiny.c id table (avrdude.conf)"},
    {0x16D0, 0x0BA5, NULL, USBIDS_USB_ISP, false, "eHaJo ISP (USBtiny protocol)", "ehajo-isp",
     "ehajo-isp usbtiny", NULL, "src/programmers/usbtiny.c id table (avrdude.conf)"},
    {0x1209, 0x6570, NULL, USBIDS_USB_ISP, false, "iSeeU AVR programmer (USBtiny protocol)",
     "iseavrprog", "iseavrprog usbtiny", NULL, "src/programmers/usbtiny.c id table (avrdude.conf)"},
    {0x16C0, 0x05DC, "USBasp", USBIDS_USB_ISP, false,
     "USBasp (fischl.de firmware), or a board running USBaspLoader, which shows the same ids "
     "and strings",
     "usbasp", "usbasp usbasp-clone", NULL,
     "fischl.de USBasp firmware (16C0:05DC \"www.fischl.de\" \"USBasp\"); " IMG
     "0xcb_ and nullbits_usbasploader_atmega328p_main.hex carry the same descriptor and strings"},
    {0x16C0, 0x05DC, NULL, USBIDS_USB_ISP, false,
     "a USBasp clone (16C0:05DC with other strings), or another V-USB device on that shared id",
     "usbasp-clone", "usbasp-clone", NULL, "src/programmers/usbasp.c (usbasp-clone)"},
    {0x03EB, 0xC7B4, NULL, USBIDS_USB_ISP, false, "USBasp (new Atmel-VID firmware)", "usbasp",
     "usbasp", NULL, "src/programmers/usbasp.c id table (avrdude.conf)"},
    {0x16C0, 0x092F, NULL, USBIDS_USB_ISP, false, "NIBObee (USBasp protocol)", "nibobee", "nibobee",
     NULL, "src/programmers/usbasp.c id table (avrdude.conf)"},
    {0x03EB, 0x2104, NULL, USBIDS_USB_ISP, false, "Atmel AVRISP mkII (or a LUFA clone of it)",
     "avrisp2", "avrisp2 avrispmkII", NULL,
     "avrdude usbdevs.h (USB_DEVICE_AVRISPMKII 0x2104); LUFA Projects/AVRISP-MKII (same ids)"},

    /* USB-serial adapter chips: the vendor's ids, whatever is behind them */
    {0x1A86, 0x7523, NULL, USBIDS_ADAPTER, true, "CH340 USB-serial adapter", NULL, FITS_ANY_SERIAL,
     ADVICE_ADAPTER, "Linux drivers/usb/serial/ch341.c id table (recalled)"},
    {0x1A86, 0x5523, NULL, USBIDS_ADAPTER, true, "CH341 USB-serial adapter", NULL, FITS_ANY_SERIAL,
     ADVICE_ADAPTER, "Linux drivers/usb/serial/ch341.c id table (recalled)"},
    {0x0403, 0x6001, NULL, USBIDS_ADAPTER, true,
     "FTDI FT232R USB-serial adapter (a Bus Pirate v3 has one inside)", NULL, FITS_ANY_SERIAL,
     ADVICE_ADAPTER, "Linux drivers/usb/serial/ftdi_sio_ids.h (recalled)"},
    {0x0403, 0x6015, NULL, USBIDS_ADAPTER, true, "FTDI FT-X (FT230X/FT231X) USB-serial adapter",
     NULL, FITS_ANY_SERIAL, ADVICE_ADAPTER, "Linux drivers/usb/serial/ftdi_sio_ids.h (recalled)"},
    {0x0403, 0x6010, NULL, USBIDS_ADAPTER, true, "FTDI FT2232 USB-serial adapter", NULL,
     FITS_ANY_SERIAL, ADVICE_ADAPTER, "Linux drivers/usb/serial/ftdi_sio_ids.h (recalled)"},
    {0x0403, 0x6014, NULL, USBIDS_ADAPTER, true, "FTDI FT232H USB-serial adapter", NULL,
     FITS_ANY_SERIAL, ADVICE_ADAPTER, "Linux drivers/usb/serial/ftdi_sio_ids.h (recalled)"},
    {0x10C4, 0xEA60, NULL, USBIDS_ADAPTER, true, "Silicon Labs CP210x USB-serial adapter", NULL,
     FITS_ANY_SERIAL, ADVICE_ADAPTER, "Linux drivers/usb/serial/cp210x.c id table (recalled)"},
    {0x067B, 0x2303, NULL, USBIDS_ADAPTER, true,
     "Prolific PL2303 USB-serial adapter (common in STK500v2 clones)", NULL, FITS_ANY_SERIAL,
     ADVICE_ADAPTER, "Linux drivers/usb/serial/pl2303.h (recalled)"},
};

size_t usbids_count(void)
{
    return sizeof usbids_table / sizeof usbids_table[0];
}

const struct usbids_entry *usbids_at(size_t i)
{
    return i < usbids_count() ? &usbids_table[i] : NULL;
}

const struct usbids_entry *usbids_lookup(uint16_t vid, uint16_t pid, const char *product)
{
    const struct usbids_entry *any = NULL;
    for (size_t i = 0; i < usbids_count(); i++) {
        const struct usbids_entry *e = &usbids_table[i];
        if (e->vid != vid || e->pid != pid)
            continue;
        if (!e->product) {
            if (!any)
                any = e;
            continue;
        }
        if (product && strncmp(product, e->product, strlen(e->product)) == 0 &&
            (product[strlen(e->product)] == '\0' || product[strlen(e->product)] == ' '))
            return e;
    }
    return any;
}

/* Is word (a -c id) in the space-separated list? */
static bool usbids_in_list(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

int usbids_fit(const struct usbids_entry *e, const char *pgm_id)
{
    if (!e || !pgm_id || !usbids_in_list(e->fits, pgm_id))
        return 0;
    return (e->kind == USBIDS_SERIAL_ISP || e->kind == USBIDS_USB_ISP) ? 2 : 1;
}

bool usbids_is_bootloader(const struct usbids_entry *e)
{
    return e && e->kind == USBIDS_BOOTLOADER;
}
