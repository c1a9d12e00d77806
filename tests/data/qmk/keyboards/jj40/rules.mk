# MCU name
MCU = atmega32a

# Bootloader selection
BOOTLOADER = bootloadHID

# Processor frequency
F_CPU = 12000000
