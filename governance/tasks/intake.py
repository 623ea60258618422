BEAT_SCHEDULE: dict = {}
__all__: list[str] = []
