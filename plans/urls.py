from __future__ import annotations

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/nhiem-vu/<int:task_pk>/don-vi/", views.task_units, name="task_units"),
    path("<int:pk>/muc/<int:item_pk>/don-vi/", views.duty_item_units, name="duty_item_units"),
]
