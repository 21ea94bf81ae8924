def login(client, person):
    client.force_login(person)
    return client
