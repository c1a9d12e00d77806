# rules.mk wins over keyboard.json (QMK includes the JSON as ?= lines after it)
BOOTLOADER = qmk-hid
