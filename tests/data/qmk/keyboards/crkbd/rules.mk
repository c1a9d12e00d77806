# MCU name
MCU = atmega32u4

# Bootloader selection
BOOTLOADER = caterina

# Build Options
BOOTMAGIC_ENABLE = no       # Bootmagic Lite
MOUSEKEY_ENABLE = no        # Mouse keys
SPLIT_KEYBOARD = yes
OLED_ENABLE = yes           # BOOTLOADER = atmel-dfu in a comment is not read

DEFAULT_FOLDER = crkbd/rev1
