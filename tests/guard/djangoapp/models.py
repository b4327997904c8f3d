from django.db import models


class Writer(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "djangoapp"


class Novel(models.Model):
    title = models.CharField(max_length=200)
    writer = models.ForeignKey(Writer, on_delete=models.CASCADE, related_name="novels")

    class Meta:
        app_label = "djangoapp"
