def seed_grants(session, now):
    pass
