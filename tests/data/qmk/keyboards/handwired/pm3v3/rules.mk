# A 3.3 V / 8 MHz Pro Micro
F_CPU = 8000000
