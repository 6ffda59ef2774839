"""The AMQP 1.0 face of the emulator, on `amqp_core`: addresses, `$cbs`, `$management`, producer and
consumer links. It translates the provider's typed errors into AMQP conditions; entity logic stays in
the provider.
"""
