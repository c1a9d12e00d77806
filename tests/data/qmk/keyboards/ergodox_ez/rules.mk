# MCU name
MCU = atmega32u4

# Bootloader selection
BOOTLOADER = halfkay
