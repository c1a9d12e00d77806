# The revision does not change the bootloader: ?= keeps the parent's value.
BOOTLOADER ?= atmel-dfu
SRC += matrix.c \
       split_util.c
