def seed_monitoring(session, now):
    pass
