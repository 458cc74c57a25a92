"""A reporter's submission in two steps, as on the page: save (保存草稿 / 提交报送) and confirm."""


def submit(client, entry_url: str, data: dict, *, follow: bool = False):
    """Post the figures with 提交报送, then confirm; returns the confirmation's response (or the
    entry page's, when the figures were refused and there is nothing to confirm)."""
    response = client.post(entry_url, {**data, "intent": "submit"})
    if response.status_code != 302 or not response["Location"].endswith("/submit/"):
        return response
    return client.post(response["Location"], follow=follow)
